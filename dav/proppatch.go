package dav

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/apiary/apiary/resource"
)

// maxDeadProps bounds the stored dead properties of one object (bytes of
// JSON).
const maxDeadProps = 64 << 10

// deadProps decodes an object's stored dead properties.
func deadProps(js string) props {
	if js == "" {
		return nil
	}
	var m map[string]string
	if json.Unmarshal([]byte(js), &m) != nil {
		return nil
	}
	ps := props{}
	for k, v := range m {
		ps[keyName(k)] = v
	}
	return ps
}

// propKey is how a property name is stored: "{namespace}local".
func propKey(n xml.Name) string { return "{" + n.Space + "}" + n.Local }

func keyName(k string) xml.Name {
	if strings.HasPrefix(k, "{") {
		if i := strings.Index(k, "}"); i > 0 {
			return xml.Name{Space: k[1:i], Local: k[i+1:]}
		}
	}
	return xml.Name{Local: k}
}

// innerXML renders a parsed element's content back to XML.
func innerXML(n *node) string {
	var b strings.Builder
	b.WriteString(esc(n.Text))
	for _, c := range n.Children {
		b.WriteString(elem(c.Name, innerXML(c)))
	}
	return b.String()
}

// collectionProp maps a settable collection property to its column.
func collectionProp(n xml.Name) string {
	switch n {
	case pDisplayName:
		return "display_name"
	case pCalDesc, pCardDesc:
		return "description"
	case pColor:
		return "color"
	}
	return ""
}

// proppatch sets and removes properties in one step (RFC 4918 §9.2): a
// collection's display name, description and color go to their columns;
// any other property outside the DAV, CalDAV, CardDAV and CalendarServer
// namespaces (which the server computes) is stored as a dead property. One refused property
// fails the whole request (the others answer 424).
func (h *Handler) proppatch(w http.ResponseWriter, r *http.Request, t target) *davError {
	body, derr := readXML(r)
	if derr != nil {
		return derr
	}
	if body == nil || body.Name.Space != nsDAV || body.Name.Local != "propertyupdate" {
		return errBadRequest("PROPPATCH body must be a DAV:propertyupdate element")
	}
	ctx := r.Context()
	if t.kind != kindCollection && t.kind != kindObject {
		return errForbidden("properties can be set only on collections and objects")
	}
	c, o, derr := h.resolve(ctx, t)
	if derr != nil {
		return derr
	}
	attrs := map[string]any{}
	dead := map[string]string{}
	stored := c.dead
	if o != nil {
		stored = o.dead
	}
	if stored != "" {
		_ = json.Unmarshal([]byte(stored), &dead)
	}
	var names []*node
	refused := map[xml.Name]bool{}
	for _, op := range body.Children {
		if op.Name.Space != nsDAV || (op.Name.Local != "set" && op.Name.Local != "remove") {
			return errBadRequest("propertyupdate holds only set and remove")
		}
		remove := op.Name.Local == "remove"
		for _, p := range op.child(nsDAV, "prop").elems() {
			names = append(names, p)
			switch {
			case o == nil && collectionProp(p.Name) != "":
				if remove {
					attrs[collectionProp(p.Name)] = nil
				} else {
					attrs[collectionProp(p.Name)] = strings.TrimSpace(p.Text)
				}
			case p.Name.Space != nsDAV && p.Name.Space != nsCalDAV && p.Name.Space != nsCardDAV && p.Name.Space != nsCS:
				if remove {
					delete(dead, propKey(p.Name))
				} else {
					dead[propKey(p.Name)] = innerXML(p)
				}
			default:
				refused[p.Name] = true
			}
		}
	}
	status := http.StatusOK
	if len(refused) > 0 {
		status = http.StatusFailedDependency
	} else if err := h.savePatch(r, c, o, attrs, dead); err != nil {
		return err
	}
	m := newMultistatus()
	m.raw("<d:response>" + href(r.URL.Path))
	for _, p := range names {
		st := status
		if refused[p.Name] {
			st = http.StatusForbidden
		}
		m.raw("<d:propstat><d:prop>" + elem(p.Name, "") + "</d:prop><d:status>HTTP/1.1 " + statusLine(st) + "</d:status></d:propstat>")
	}
	m.raw("</d:response>")
	m.send(w)
	return nil
}

// savePatch writes the collection columns and the dead properties.
func (h *Handler) savePatch(r *http.Request, c *coll, o *object, attrs map[string]any, dead map[string]string) *davError {
	ctx := r.Context()
	js, _ := json.Marshal(dead)
	if len(js) > maxDeadProps {
		return &davError{status: http.StatusInsufficientStorage, msg: "too many or too large properties"}
	}
	table, ref := tableCollection, c.ref
	if o != nil {
		table, ref = c.table(), o.ref
	}
	attrs["dead_props"] = string(js)
	if _, err := h.d.Res().Update(ctx, table, ref, resource.Input{Attributes: attrs}); err != nil {
		return h.resErr(ctx, err)
	}
	return nil
}
