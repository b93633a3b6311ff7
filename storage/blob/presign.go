package blob

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrNoPresign is returned by PresignPut for stores that are not S3.
var ErrNoPresign = errors.New("this store does not offer presigned uploads")

// s3Target is where an S3 store keeps its files, for presigning.
type s3Target struct {
	bucket, prefix string
	params         map[string]string
}

// Presigned is a request a client sends itself, straight to the store.
type Presigned struct {
	URL     string
	Method  string
	Headers http.Header
	Expires time.Time
}

// s3Key gives the bucket key of the store path p.
func (s *Store) s3Key(p string) (string, error) {
	if s.s3 == nil {
		return "", ErrNoPresign
	}
	c, err := Clean(p)
	if err != nil || c == "" {
		return "", ErrBadPath
	}
	if s.s3.prefix != "" {
		return s.s3.prefix + "/" + c, nil
	}
	return c, nil
}

// s3Client is an S3 API client for the store's credential.
func (s *Store) s3Client() *s3.Client {
	pr := s.s3.params
	cfg := aws.Config{Region: pr["region"], Credentials: credentials.NewStaticCredentialsProvider(pr["access_key_id"], pr["secret_access_key"], pr["session_token"])}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if ep := pr["endpoint"]; ep != "" {
			if !strings.Contains(ep, "://") {
				ep = "https://" + ep
			}
			o.BaseEndpoint = aws.String(ep)
		}
		// rclone's default for S3-compatible providers is path style.
		o.UsePathStyle = pr["force_path_style"] != "false" && pr["provider"] != "AWS"
	})
}

// PresignPut returns a PUT request, valid for expires, that writes the
// file p of an S3 store without passing through this server.
func (s *Store) PresignPut(ctx context.Context, p, contentType string, expires time.Duration) (Presigned, error) {
	key, err := s.s3Key(p)
	if err != nil {
		return Presigned{}, err
	}
	in := &s3.PutObjectInput{Bucket: aws.String(s.s3.bucket), Key: aws.String(key)}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	req, err := s3.NewPresignClient(s.s3Client()).PresignPutObject(ctx, in, s3.WithPresignExpires(expires))
	if err != nil {
		return Presigned{}, err
	}
	return Presigned{URL: req.URL, Method: req.Method, Headers: req.SignedHeader, Expires: time.Now().Add(expires)}, nil
}
