package asset

import (
	"path"
	"strconv"
	"strings"
	"time"
)

// Expiry per kind of file (contract §7.5).
const (
	expiryImage = 7 * 24 * time.Hour
	expiryText  = 24 * time.Hour
	expiryVideo = 14 * 24 * time.Hour
	expiryOther = 24 * time.Hour
	// expiryMedia is the max-age of streamed video and audio.
	expiryMedia = time.Hour
)

// expiry returns how long a browser may keep a file of that type and name.
func expiry(typ, name string) time.Duration {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case strings.HasPrefix(typ, "image/") || in(ext, ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"):
		return expiryImage
	case strings.HasPrefix(typ, "video/") || in(ext, ".mp4", ".webm", ".ogg"):
		return expiryVideo
	case textual(typ) || in(ext, ".html", ".css", ".js", ".txt", ".md", ".xml"):
		return expiryText
	}
	return expiryOther
}

func textual(typ string) bool {
	return strings.HasPrefix(typ, "text/") || strings.Contains(typ, "javascript") || strings.Contains(typ, "json") || strings.Contains(typ, "xml")
}

// compressible says whether a gzip variant of the type is worth serving.
func compressible(typ string) bool {
	return textual(typ) || strings.Contains(typ, "svg") || strings.HasPrefix(typ, "font/")
}

func in(s string, list ...string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

// disposition is "attachment" for downloads (archives, installers and
// application/* other than javascript, json and xml), else "inline".
func disposition(typ, name string) string {
	kind := "inline"
	ext := strings.ToLower(path.Ext(name))
	if in(ext, ".zip", ".rar", ".7z", ".tar", ".gz", ".exe", ".msi", ".dmg", ".apk") ||
		(strings.HasPrefix(typ, "application/") && !strings.Contains(typ, "javascript") && !strings.Contains(typ, "json") && !strings.Contains(typ, "xml")) {
		kind = "attachment"
	}
	return kind + `; filename="` + strings.NewReplacer(`"`, "", "\r", "", "\n", "").Replace(name) + `"`
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func pathBase(p string) string { return path.Base(p) }
