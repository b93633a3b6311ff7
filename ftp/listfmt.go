package ftp

import (
	"bytes"
	"fmt"
	"os"
	"time"
)

// formatLong is the ls -l style LIST answer clients parse.
func formatLong(files []os.FileInfo) []byte {
	var b bytes.Buffer
	old := time.Now().AddDate(0, -6, 0)
	for _, f := range files {
		when := f.ModTime().Format("Jan _2 15:04")
		if f.ModTime().Before(old) {
			when = f.ModTime().Format("Jan _2  2006")
		}
		fmt.Fprintf(&b, "%s 1 apiary apiary %12d %s %s\r\n", f.Mode().String(), f.Size(), when, f.Name())
	}
	return b.Bytes()
}

// formatNames is the NLST answer: one name a line.
func formatNames(files []os.FileInfo) []byte {
	var b bytes.Buffer
	for _, f := range files {
		b.WriteString(f.Name())
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// formatMLSD is the RFC 3659 machine listing.
func formatMLSD(files []os.FileInfo) []byte {
	var b bytes.Buffer
	for _, f := range files {
		typ := "file"
		if f.IsDir() {
			typ = "dir"
		}
		fmt.Fprintf(&b, "type=%s;size=%d;modify=%s; %s\r\n", typ, f.Size(), f.ModTime().UTC().Format("20060102150405"), f.Name())
	}
	return b.Bytes()
}
