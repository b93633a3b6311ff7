package dav

import (
	"encoding/base64"
	"fmt"
)

func newRawRequest(method, path string, u *user) (string, error) {
	auth := base64.StdEncoding.EncodeToString([]byte(u.email + ":" + u.pass))
	return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + auth + "\r\nConnection: close\r\n\r\n", nil
}

func fmtSscanf(line string, code *int) (int, error) { return fmt.Sscanf(line, "HTTP/1.1 %d", code) }
