package dav

import (
	"encoding/xml"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apiary/apiary/auth"
)

// Property names used by the server.
var (
	pResourceType  = xml.Name{Space: nsDAV, Local: "resourcetype"}
	pDisplayName   = xml.Name{Space: nsDAV, Local: "displayname"}
	pCurrentUser   = xml.Name{Space: nsDAV, Local: "current-user-principal"}
	pPrincipalURL  = xml.Name{Space: nsDAV, Local: "principal-URL"}
	pOwner         = xml.Name{Space: nsDAV, Local: "owner"}
	pPrivileges    = xml.Name{Space: nsDAV, Local: "current-user-privilege-set"}
	pReports       = xml.Name{Space: nsDAV, Local: "supported-report-set"}
	pSyncToken     = xml.Name{Space: nsDAV, Local: "sync-token"}
	pETag          = xml.Name{Space: nsDAV, Local: "getetag"}
	pContentType   = xml.Name{Space: nsDAV, Local: "getcontenttype"}
	pContentLength = xml.Name{Space: nsDAV, Local: "getcontentlength"}
	pLastModified  = xml.Name{Space: nsDAV, Local: "getlastmodified"}
	pPrincipalColl = xml.Name{Space: nsDAV, Local: "principal-collection-set"}
	pCalHome       = xml.Name{Space: nsCalDAV, Local: "calendar-home-set"}
	pCalUserAddr   = xml.Name{Space: nsCalDAV, Local: "calendar-user-address-set"}
	pCalDesc       = xml.Name{Space: nsCalDAV, Local: "calendar-description"}
	pCalComps      = xml.Name{Space: nsCalDAV, Local: "supported-calendar-component-set"}
	pCalDataTypes  = xml.Name{Space: nsCalDAV, Local: "supported-calendar-data"}
	pCalData       = xml.Name{Space: nsCalDAV, Local: "calendar-data"}
	pCardHome      = xml.Name{Space: nsCardDAV, Local: "addressbook-home-set"}
	pCardDesc      = xml.Name{Space: nsCardDAV, Local: "addressbook-description"}
	pCardDataTypes = xml.Name{Space: nsCardDAV, Local: "supported-address-data"}
	pCardData      = xml.Name{Space: nsCardDAV, Local: "address-data"}
	pCTag          = xml.Name{Space: nsCS, Local: "getctag"}
	pColor         = xml.Name{Space: nsApple, Local: "calendar-color"}
	pLockDiscovery = xml.Name{Space: nsDAV, Local: "lockdiscovery"}
	pSupportedLock = xml.Name{Space: nsDAV, Local: "supportedlock"}
)

// props maps a property name to its rendered inner XML.
type props map[xml.Name]string

// propReq is what a PROPFIND or REPORT asks for.
type propReq struct {
	all, names bool
	want       []xml.Name
}

// wants reports whether the request names n explicitly.
func (q propReq) wants(n xml.Name) bool {
	for _, w := range q.want {
		if w == n {
			return true
		}
	}
	return false
}

// parsePropReq reads <prop>, <allprop/> or <propname/> under parent.
func parsePropReq(parent *node) propReq {
	if parent == nil || parent.child(nsDAV, "allprop") != nil {
		return propReq{all: true}
	}
	if parent.child(nsDAV, "propname") != nil {
		return propReq{names: true}
	}
	var q propReq
	if p := parent.child(nsDAV, "prop"); p != nil {
		for _, c := range p.Children {
			q.want = append(q.want, c.Name)
		}
		return q
	}
	return propReq{all: true}
}

var prefixes = map[string]string{nsDAV: "d", nsCalDAV: "c", nsCardDAV: "cr", nsCS: "cs", nsApple: "ic"}

// elem renders <name>inner</name> with a known prefix or a local xmlns.
func elem(n xml.Name, inner string) string {
	if p, ok := prefixes[n.Space]; ok {
		if inner == "" {
			return "<" + p + ":" + n.Local + "/>"
		}
		return "<" + p + ":" + n.Local + ">" + inner + "</" + p + ":" + n.Local + ">"
	}
	open := "<x:" + n.Local + ` xmlns:x="` + esc(n.Space) + `"`
	if n.Space == "" {
		open = "<" + n.Local + ` xmlns=""`
		return open + ">" + inner + "</" + n.Local + ">"
	}
	return open + ">" + inner + "</x:" + n.Local + ">"
}

func href(h string) string { return "<d:href>" + esc(h) + "</d:href>" }

// render writes one <d:response> for href with the requested properties.
func (m *multistatus) render(h string, ps props, q propReq) {
	if m.extra != nil {
		for n, v := range m.extra(h) {
			ps[n] = v
		}
	}
	var ok, missing strings.Builder
	switch {
	case q.names:
		for _, n := range sortedNames(ps) {
			ok.WriteString(elem(n, ""))
		}
	case q.all:
		for _, n := range sortedNames(ps) {
			if n == pCalData || n == pCardData {
				continue
			}
			ok.WriteString(elem(n, ps[n]))
		}
	default:
		for _, n := range q.want {
			if v, has := ps[n]; has {
				ok.WriteString(elem(n, v))
			} else {
				missing.WriteString(elem(n, ""))
			}
		}
	}
	m.b.WriteString("<d:response>" + href(h))
	if ok.Len() > 0 || missing.Len() == 0 {
		m.b.WriteString("<d:propstat><d:prop>" + ok.String() + "</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>")
	}
	if missing.Len() > 0 {
		m.b.WriteString("<d:propstat><d:prop>" + missing.String() + "</d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>")
	}
	m.b.WriteString("</d:response>")
}

func sortedNames(ps props) []xml.Name {
	out := make([]xml.Name, 0, len(ps))
	for n := range ps {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Space != out[j].Space {
			return out[i].Space < out[j].Space
		}
		return out[i].Local < out[j].Local
	})
	return out
}

func privileges(write bool) string {
	s := "<d:privilege><d:read/></d:privilege><d:privilege><d:read-current-user-privilege-set/></d:privilege>"
	if write {
		s += "<d:privilege><d:write/></d:privilege><d:privilege><d:write-content/></d:privilege>" +
			"<d:privilege><d:write-properties/></d:privilege><d:privilege><d:bind/></d:privilege><d:privilege><d:unbind/></d:privilege>"
	}
	return s
}

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// rootProps are the properties of /caldav/ and /caldav/users/.
func rootProps(p auth.Principal, prefix string) props {
	return props{
		pResourceType:  "<d:collection/>",
		pCurrentUser:   href(principalHref(prefix, p.UserRef)),
		pDisplayName:   "Apiary",
		pPrincipalColl: href(prefix + "/users/"),
	}
}

// principalProps are the properties of the caller's principal.
func principalProps(p auth.Principal, prefix string) props {
	ps := props{
		pResourceType:  "<d:collection/><d:principal/>",
		pCurrentUser:   href(principalHref(prefix, p.UserRef)),
		pPrincipalURL:  href(principalHref(prefix, p.UserRef)),
		pDisplayName:   esc(p.Name),
		pCalHome:       href(homeHref("/caldav", p.UserRef)),
		pCardHome:      href(homeHref("/carddav", p.UserRef)),
		pPrincipalColl: href(prefix + "/users/"),
		pPrivileges:    privileges(false),
	}
	if p.Email != "" {
		ps[pCalUserAddr] = href("mailto:" + p.Email)
	}
	return ps
}

// homeProps are the properties of the home set.
func homeProps(p auth.Principal, prefix string) props {
	return props{
		pResourceType: "<d:collection/>",
		pCurrentUser:  href(principalHref(prefix, p.UserRef)),
		pOwner:        href(principalHref(prefix, p.UserRef)),
		pDisplayName:  "calendars",
		pPrivileges:   privileges(true),
	}
}

// collectionProps are the properties of a calendar, address book or plain
// collection.
func collectionProps(p auth.Principal, prefix string, c *coll, st syncState) props {
	ps := props{
		pCurrentUser:  href(principalHref(prefix, p.UserRef)),
		pOwner:        href(principalHref(prefix, c.owner)),
		pDisplayName:  esc(c.displayName()),
		pPrivileges:   privileges(c.owner == p.UserRef),
		pCTag:         st.ctag(),
		pSyncToken:    esc(st.token()),
		pLastModified: httpDate(st.at),
	}
	for n, v := range deadProps(c.dead) {
		ps[n] = v
	}
	switch c.kind {
	case kindCalendar:
		ps[pResourceType] = "<d:collection/><c:calendar/>"
		ps[pCalComps] = `<c:comp name="VEVENT"/><c:comp name="VTODO"/><c:comp name="VJOURNAL"/>`
		ps[pCalDataTypes] = `<c:calendar-data content-type="text/calendar" version="2.0"/>`
		ps[pCalDesc] = esc(c.description)
		ps[pReports] = reportSet("<c:calendar-query/>", "<c:calendar-multiget/>", "<c:free-busy-query/>", "<d:sync-collection/>")
		if c.color != "" {
			ps[pColor] = esc(c.color)
		}
	case kindAddressBook:
		ps[pResourceType] = "<d:collection/><cr:addressbook/>"
		ps[pCardDataTypes] = `<cr:address-data-type content-type="text/vcard" version="3.0"/><cr:address-data-type content-type="text/vcard" version="4.0"/>`
		ps[pCardDesc] = esc(c.description)
		ps[pReports] = reportSet("<cr:addressbook-query/>", "<cr:addressbook-multiget/>", "<d:sync-collection/>")
	default:
		ps[pResourceType] = "<d:collection/>"
		ps[pReports] = reportSet("<d:sync-collection/>")
	}
	return ps
}

func reportSet(rs ...string) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("<d:supported-report><d:report>" + r + "</d:report></d:supported-report>")
	}
	return b.String()
}

// objectProps are the properties of one object; data adds calendar-data
// or address-data.
func objectProps(c *coll, o *object, data bool) props {
	ps := props{
		pResourceType:  "",
		pETag:          esc(o.etag()),
		pContentLength: strconv.Itoa(len(o.content)),
		pLastModified:  httpDate(o.updated),
		pContentType:   contentType(c),
		pDisplayName:   esc(o.file),
	}
	for n, v := range deadProps(o.dead) {
		ps[n] = v
	}
	if data {
		switch c.kind {
		case kindAddressBook:
			ps[pCardData] = esc(string(o.content))
		default:
			ps[pCalData] = esc(string(o.content))
		}
	}
	return ps
}

func contentType(c *coll) string {
	switch c.kind {
	case kindCalendar:
		return "text/calendar; charset=utf-8"
	case kindAddressBook:
		return "text/vcard; charset=utf-8"
	}
	return "application/octet-stream"
}
