package blob

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3 multipart limits a client must respect when it sends the parts.
const (
	MinPartSize = 5 << 20
	MaxParts    = 10000
)

// ErrBadParts is returned by CompleteMultipart when the store refuses the
// part list (unknown part, wrong ETag, wrong order, part too small) or
// the upload id is unknown.
var ErrBadParts = errors.New("the store refused the part list")

// Part is one uploaded part of a multipart upload, as the client reports it.
type Part struct {
	Number int32
	ETag   string
}

// CreateMultipart starts an S3 multipart upload of the file p and returns
// the store's upload id; the client then sends the parts itself to the
// URLs of PresignPart.
func (s *Store) CreateMultipart(ctx context.Context, p, contentType string) (string, error) {
	key, err := s.s3Key(p)
	if err != nil {
		return "", err
	}
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(s.s3.bucket), Key: aws.String(key)}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	out, err := s.s3Client().CreateMultipartUpload(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.UploadId), nil
}

// PresignPart returns the PUT request, valid for expires, that uploads
// part number n (1..MaxParts) of the multipart upload id of file p.
func (s *Store) PresignPart(ctx context.Context, p, id string, n int32, expires time.Duration) (Presigned, error) {
	key, err := s.s3Key(p)
	if err != nil {
		return Presigned{}, err
	}
	if n < 1 || n > MaxParts || id == "" {
		return Presigned{}, fmt.Errorf("%w: part number %d, upload id %q", ErrBadParts, n, id)
	}
	in := &s3.UploadPartInput{Bucket: aws.String(s.s3.bucket), Key: aws.String(key), UploadId: aws.String(id), PartNumber: aws.Int32(n)}
	req, err := s3.NewPresignClient(s.s3Client()).PresignUploadPart(ctx, in, s3.WithPresignExpires(expires))
	if err != nil {
		return Presigned{}, err
	}
	return Presigned{URL: req.URL, Method: req.Method, Headers: req.SignedHeader, Expires: time.Now().Add(expires)}, nil
}

// CompleteMultipart assembles the parts of upload id into the file p.
// Parts are sorted by number; a repeated number keeps the last ETag.
func (s *Store) CompleteMultipart(ctx context.Context, p, id string, parts []Part) error {
	key, err := s.s3Key(p)
	if err != nil {
		return err
	}
	if len(parts) == 0 || len(parts) > MaxParts {
		return fmt.Errorf("%w: %d parts (want 1..%d)", ErrBadParts, len(parts), MaxParts)
	}
	byNum := map[int32]string{}
	for _, pt := range parts {
		if pt.Number < 1 || pt.Number > MaxParts || pt.ETag == "" {
			return fmt.Errorf("%w: part %d needs a number in 1..%d and an ETag", ErrBadParts, pt.Number, MaxParts)
		}
		e := pt.ETag
		if !strings.HasPrefix(e, `"`) {
			e = `"` + e + `"`
		}
		byNum[pt.Number] = e
	}
	done := make([]types.CompletedPart, 0, len(byNum))
	for n, e := range byNum {
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(n), ETag: aws.String(e)})
	}
	sort.Slice(done, func(i, j int) bool { return *done[i].PartNumber < *done[j].PartNumber })
	_, err = s.s3Client().CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(s.s3.bucket),
		Key: aws.String(key), UploadId: aws.String(id), MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	return mapS3Err(err)
}

// AbortMultipart discards upload id of file p and the parts sent so far.
func (s *Store) AbortMultipart(ctx context.Context, p, id string) error {
	key, err := s.s3Key(p)
	if err != nil {
		return err
	}
	_, err = s.s3Client().AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(s.s3.bucket),
		Key: aws.String(key), UploadId: aws.String(id)})
	return mapS3Err(err)
}

// mapS3Err turns S3's refusals of a client's upload into ErrBadParts.
func mapS3Err(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "InvalidPart", "InvalidPartOrder", "NoSuchUpload", "EntityTooSmall", "MalformedXML":
			return fmt.Errorf("%w: %s: %s", ErrBadParts, ae.ErrorCode(), ae.ErrorMessage())
		}
	}
	return err
}
