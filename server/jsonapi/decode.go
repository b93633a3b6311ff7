package jsonapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/server/httperr"
)

// readBody reads the whole request body, at most limit bytes. A larger
// body returns the *http.MaxBytesError (413).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, &httperr.Error{Status: http.StatusBadRequest, Title: "invalid body", Detail: "cannot read the request body"}
	}
	return b, nil
}

// decodeJSON decodes one JSON value; numbers become int64 when integral
// and float64 otherwise (see plainValue).
func decodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badBody("", "the request body is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badBody("", "invalid JSON: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badBody("", "invalid JSON: data after the top-level value")
	}
	v, err := plainValue(v)
	if err != nil {
		return nil, badBody("", err.Error())
	}
	return v, nil
}

// plainValue replaces every json.Number in v with an int64 when it is an
// integer that fits, else a float64, so the resource layer sees ordinary
// decoded values and large integers stay exact.
func plainValue(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			if n, err := x.Int64(); err == nil {
				return n, nil
			}
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("number %s is out of range", x)
		}
		return f, nil
	case map[string]any:
		for k, e := range x {
			p, err := plainValue(e)
			if err != nil {
				return nil, err
			}
			x[k] = p
		}
	case []any:
		for i, e := range x {
			p, err := plainValue(e)
			if err != nil {
				return nil, err
			}
			x[i] = p
		}
	}
	return v, nil
}

// parseResource reads a create (urlID == "") or update document for table t.
func parseResource(body []byte, t, urlID string) (resource.Input, error) {
	var in resource.Input
	v, err := decodeJSON(body)
	if err != nil {
		return in, err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return in, badBody("", "the body must be a JSON object with a data member")
	}
	data, ok := doc["data"].(map[string]any)
	if !ok {
		return in, badBody("/data", "the body needs a data object")
	}
	if raw, ok := data["type"]; ok && raw != nil {
		typ, ok := raw.(string)
		if !ok {
			return in, badBody("/data/type", "data.type must be a string")
		}
		if typ != t {
			return in, &httperr.Error{Status: http.StatusConflict, Title: "type mismatch",
				Detail: fmt.Sprintf("data.type %s does not match the URL's %s", quote(typ), quote(t)), Pointer: "/data/type"}
		}
	}
	if raw, ok := data["id"]; ok && raw != nil {
		id, ok := raw.(string)
		if !ok {
			return in, badBody("/data/id", "data.id must be a string")
		}
		switch {
		case id == "":
		case !isUUID(id):
			return in, badBody("/data/id", quote(id)+" is not a UUID")
		case urlID == "":
			in.ID = id
		case !strings.EqualFold(id, urlID):
			return in, &httperr.Error{Status: http.StatusConflict, Title: "id mismatch",
				Detail: fmt.Sprintf("data.id %s does not match the URL's %s", quote(id), quote(urlID)), Pointer: "/data/id"}
		}
	}
	in.Attributes = map[string]any{}
	if raw, ok := data["attributes"]; ok && raw != nil {
		attrs, ok := raw.(map[string]any)
		if !ok {
			return in, badBody("/data/attributes", "data.attributes must be an object")
		}
		in.Attributes = attrs
	}
	if raw, ok := data["relationships"]; ok && raw != nil {
		rels, ok := raw.(map[string]any)
		if !ok {
			return in, badBody("/data/relationships", "data.relationships must be an object")
		}
		in.Relationships = make(map[string]resource.RelInput, len(rels))
		for name, rv := range rels {
			ptr := "/data/relationships/" + escapePointer(name)
			obj, ok := rv.(map[string]any)
			if !ok {
				return in, badBody(ptr, "a relationship must be an object with a data member")
			}
			d, ok := obj["data"]
			if !ok {
				return in, badBody(ptr+"/data", "a relationship needs a data member")
			}
			refs, null, err := linkageData(d, ptr+"/data")
			if err != nil {
				return in, err
			}
			in.Relationships[name] = resource.RelInput{Null: null, Refs: refs}
		}
	}
	return in, nil
}

// parseLinkage reads a relationship body: {"data": [refs] | ref | null}.
func parseLinkage(body []byte) (refs []resource.Ref, null bool, err error) {
	v, err := decodeJSON(body)
	if err != nil {
		return nil, false, err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, false, badBody("", "the body must be a JSON object with a data member")
	}
	d, ok := doc["data"]
	if !ok {
		return nil, false, badBody("/data", "the body needs a data member")
	}
	return linkageData(d, "/data")
}

// linkageData reads resource linkage: null, one identifier or a list.
func linkageData(d any, ptr string) (refs []resource.Ref, null bool, err error) {
	switch x := d.(type) {
	case nil:
		return nil, true, nil
	case map[string]any:
		ref, err := refOf(x, ptr)
		if err != nil {
			return nil, false, err
		}
		return []resource.Ref{ref}, false, nil
	case []any:
		refs = make([]resource.Ref, 0, len(x))
		for i, e := range x {
			p := ptr + "/" + strconv.Itoa(i)
			obj, ok := e.(map[string]any)
			if !ok {
				return nil, false, badBody(p, "a resource identifier must be an object {type, id}")
			}
			ref, err := refOf(obj, p)
			if err != nil {
				return nil, false, err
			}
			refs = append(refs, ref)
		}
		return refs, false, nil
	default:
		return nil, false, badBody(ptr, "data must be null, a resource identifier {type, id} or a list of them")
	}
}

func refOf(obj map[string]any, ptr string) (resource.Ref, error) {
	var ref resource.Ref
	if raw, ok := obj["type"]; ok && raw != nil {
		typ, ok := raw.(string)
		if !ok {
			return ref, badBody(ptr+"/type", "type must be a string")
		}
		ref.Type = typ
	}
	id, _ := obj["id"].(string)
	if !isUUID(id) {
		return ref, badBody(ptr+"/id", "id must be a UUID")
	}
	ref.ID = id
	return ref, nil
}

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func badBody(pointer, detail string) error {
	return &httperr.Error{Status: http.StatusBadRequest, Title: "invalid body", Detail: detail, Pointer: pointer}
}
