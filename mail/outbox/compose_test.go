package outbox

import (
	"strings"
	"testing"
	"time"
)

func TestComposeRefusesHeaderInjection(t *testing.T) {
	msg := string(Compose(Mail{From: "no-reply@x.test", To: []string{"a@b.test", "c@d.test"}, Subject: "Hi\r\nBcc: evil@x.test",
		Body: "line1\nline2"}, time.Unix(0, 0)))
	if strings.Contains(msg, "\r\nBcc:") {
		t.Fatalf("header injection: %q", msg)
	}
	for _, want := range []string{"From: no-reply@x.test\r\n", "To: a@b.test, c@d.test\r\n", "Subject: Hi Bcc: evil@x.test\r\n",
		"Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n", "@x.test>\r\n", "\r\n\r\nline1\r\nline2\r\n"} {
		if !strings.Contains(msg, want) {
			t.Errorf("want %q in %q", want, msg)
		}
	}
}

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{"a@B.test": "b.test", "nobody": "", "<x@y.test>": "y.test"} {
		if got := HostOf(in); got != want {
			t.Errorf("HostOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHasLine(t *testing.T) {
	msg := "mx.test greets you\nPIPELINING\nSTARTTLS\n\nSIZE 100"
	if !hasLine(msg, "starttls") || hasLine(msg, "AUTH") {
		t.Fatal("hasLine")
	}
}
