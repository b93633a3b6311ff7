package dav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// XML namespaces DAV clients use.
const (
	nsDAV     = "DAV:"
	nsCalDAV  = "urn:ietf:params:xml:ns:caldav"
	nsCardDAV = "urn:ietf:params:xml:ns:carddav"
	nsCS      = "http://calendarserver.org/ns/"
	nsApple   = "http://apple.com/ns/ical/"
)

// Limits on request bodies.
const (
	maxXMLBody  = 1 << 20 // 1 MiB of XML
	maxXMLDepth = 32
	maxXMLNodes = 10000
)

// node is one parsed XML element.
type node struct {
	Name     xml.Name
	Attr     []xml.Attr
	Children []*node
	Text     string
}

// child returns the first child named space:local, or nil.
func (n *node) child(space, local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name.Space == space && c.Name.Local == local {
			return c
		}
	}
	return nil
}

// children returns every child named space:local.
func (n *node) children(space, local string) []*node {
	var out []*node
	if n == nil {
		return out
	}
	for _, c := range n.Children {
		if c.Name.Space == space && c.Name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// text is the element's character data ("" for a missing element).
func (n *node) text() string {
	if n == nil {
		return ""
	}
	return n.Text
}

// elems returns the child elements (none for a missing element).
func (n *node) elems() []*node {
	if n == nil {
		return nil
	}
	return n.Children
}

func (n *node) attr(local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// readXML parses a request body. An empty body returns nil. DOCTYPE
// declarations (the door to entity expansion bombs), undefined entities,
// too deep or too large documents are refused with 400.
func readXML(r *http.Request) (*node, *davError) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxXMLBody+1))
	if err != nil {
		return nil, errBadRequest("could not read the request body")
	}
	if len(data) > maxXMLBody {
		return nil, &davError{status: http.StatusRequestEntityTooLarge, msg: "XML body larger than 1 MiB"}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	return parseXML(data)
}

// parseXML builds the element tree of data.
func parseXML(data []byte) (*node, *davError) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var root *node
	var stack []*node
	count := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errBadRequest("malformed XML: " + err.Error())
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, errBadRequest("XML DOCTYPE and entity declarations are not accepted")
		case xml.StartElement:
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" && a.Value == "" {
					return nil, errBadRequest("malformed XML: a namespace prefix cannot be bound to an empty name")
				}
			}
			count++
			if count > maxXMLNodes || len(stack) >= maxXMLDepth {
				return nil, errBadRequest("XML document too large or too deep")
			}
			n := &node{Name: t.Name, Attr: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, errBadRequest("malformed XML: more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errBadRequest("malformed XML: no root element")
	}
	return root, nil
}

// textEscaper escapes XML text the way xml.EscapeText does for valid
// UTF-8 (carriage returns too, so CRLF in calendar data survives parsing).
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&#34;", "'", "&#39;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")

// plainText reports whether s is valid UTF-8 without the control
// characters XML forbids, so textEscaper alone renders it.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return utf8.ValidString(s) && !strings.ContainsAny(s, "\ufffe\uffff")
}

// esc escapes text for XML content.
func esc(s string) string {
	if plainText(s) {
		return textEscaper.Replace(s)
	}
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// davError is a protocol error with its HTTP status and, optionally, a
// DAV:error precondition element.
type davError struct {
	status int
	msg    string
	cond   string // inner XML of <d:error>, e.g. <d:valid-sync-token/>
}

func (e *davError) Error() string { return e.msg }

func errBadRequest(msg string) *davError {
	return &davError{status: http.StatusBadRequest, msg: msg}
}

func errNotFound(msg string) *davError { return &davError{status: http.StatusNotFound, msg: msg} }

func errForbidden(msg string) *davError { return &davError{status: http.StatusForbidden, msg: msg} }

// write sends the error: a DAV:error body for preconditions, plain text
// otherwise.
func (e *davError) write(w http.ResponseWriter) {
	if e.cond != "" {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(e.status)
		_, _ = io.WriteString(w, xml.Header+`<d:error xmlns:d="DAV:" xmlns:c="`+nsCalDAV+`" xmlns:cr="`+nsCardDAV+`">`+
			e.cond+`<d:responsedescription>`+esc(e.msg)+`</d:responsedescription></d:error>`)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(e.status)
	_, _ = io.WriteString(w, e.msg+"\n")
}

// multistatus accumulates <d:response> elements.
type multistatus struct {
	b strings.Builder
	// extra, when set, adds properties to every rendered response (the
	// lock properties in a PROPFIND).
	extra func(href string) props
}

func newMultistatus() *multistatus {
	m := &multistatus{}
	m.b.WriteString(xml.Header + `<d:multistatus xmlns:d="DAV:" xmlns:c="` + nsCalDAV + `" xmlns:cr="` + nsCardDAV +
		`" xmlns:cs="` + nsCS + `" xmlns:ic="` + nsApple + `">`)
	return m
}

// status adds a response that is only a status (e.g. 404 in a multiget).
func (m *multistatus) status(href string, code int) {
	m.b.WriteString(`<d:response><d:href>` + esc(href) + `</d:href><d:status>HTTP/1.1 ` + statusLine(code) + `</d:status></d:response>`)
}

// raw appends pre-rendered XML inside the multistatus.
func (m *multistatus) raw(s string) { m.b.WriteString(s) }

// send writes the 207 answer.
func (m *multistatus) send(w http.ResponseWriter) {
	sendCached(w, m.finish())
}

// finish closes the document and returns it.
func (m *multistatus) finish() string {
	m.b.WriteString(`</d:multistatus>`)
	return m.b.String()
}

func statusLine(code int) string {
	return strconv.Itoa(code) + " " + http.StatusText(code)
}
