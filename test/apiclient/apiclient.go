// Package apiclient is the small HTTP client the test tools share (the
// crash test, the soak run and the load seeder): JSON:API requests with a
// bearer token, sign-up plus sign-in, and reading ids and tokens out of
// answers.
package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Client talks to one Apiary server.
type Client struct {
	Base string // e.g. http://127.0.0.1:6336, no trailing slash
	HTTP *http.Client
}

// Do sends one request with a JSON body (may be empty) and reads the whole
// answer.
func (c *Client) Do(ctx context.Context, method, path, body, tok string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/vnd.api+json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// Must is Do that turns any status but want into an error.
func (c *Client) Must(ctx context.Context, want int, method, path, body, tok string) ([]byte, error) {
	code, out, err := c.Do(ctx, method, path, body, tok)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if code != want {
		return nil, fmt.Errorf("%s %s: %d, want %d: %.300s", method, path, code, want, out)
	}
	return out, nil
}

// Account signs up and signs in, returning the token.
func (c *Client) Account(ctx context.Context, name, email, password string) (string, error) {
	up := JSON(map[string]any{"attributes": map[string]any{"name": name, "email": email, "password": password, "passwordConfirm": password}})
	if _, err := c.Must(ctx, http.StatusOK, http.MethodPost, "/action/user_account/signup", up, ""); err != nil {
		return "", err
	}
	out, err := c.Must(ctx, http.StatusOK, http.MethodPost, "/action/user_account/signin", SigninBody(email, password), "")
	if err != nil {
		return "", err
	}
	return TokenOf(out)
}

// SigninBody is the signin action's request body.
func SigninBody(email, password string) string {
	return JSON(map[string]any{"attributes": map[string]any{"email": email, "password": password}})
}

// JSON encodes v; the values the tools encode always can be.
func JSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TokenOf finds the JWT in a signin answer (its client.store.set).
func TokenOf(answer []byte) (string, error) {
	var list []struct {
		ResponseType string
		Attributes   map[string]any
	}
	if err := json.Unmarshal(answer, &list); err != nil {
		return "", fmt.Errorf("signin answer is not a list: %.200s", answer)
	}
	for _, r := range list {
		if tok, ok := r.Attributes["value"].(string); ok && r.ResponseType == "client.store.set" {
			return tok, nil
		}
	}
	return "", fmt.Errorf("no token in signin answer %.200s", answer)
}

// IDOf reads data.id from a single-resource document.
func IDOf(out []byte) (string, error) {
	var d struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &d); err != nil || d.Data.ID == "" {
		return "", fmt.Errorf("no data.id in %.200s", out)
	}
	return d.Data.ID, nil
}
