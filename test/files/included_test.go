package files

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
)

type jsonObject struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Attributes map[string]any `json:"attributes"`
}

// avatarEntries returns the avatar attribute of a row as a list of objects
// (failing when it is not a JSON list).
func avatarEntries(t *testing.T, attrs map[string]any) []map[string]any {
	t.Helper()
	list, ok := attrs["avatar"].([]any)
	if !ok {
		t.Fatalf("avatar is %T, want a list: %v", attrs["avatar"], attrs["avatar"])
	}
	var out []map[string]any
	for _, e := range list {
		out = append(out, e.(map[string]any))
	}
	return out
}

// TestAssetIncludedRelations: an asset column reads back as a list of
// entries with src (collaborative-document entries hidden); with
// included_relations=<column> or * every entry carries its contents and
// reference_id and is added to included with the column type (contract
// sidecars.md §7.3).
func TestAssetIncludedRelations(t *testing.T) {
	s, tok := start(t)
	img := pngBytes(t, 5, 4)
	txt := []byte("plain words")
	id := createRow(t, s, tok, "profile", map[string]any{"title": "inc", "avatar": []any{
		map[string]any{"name": "face.png", "file": dataURI("image/png", img), "type": "image/png", "path": "faces"},
		map[string]any{"name": "note.txt", "contents": b64(txt), "type": "text/plain"},
		map[string]any{"name": "doc.yjs", "contents": b64([]byte{1, 2, 3}), "type": "x-crdt/yjs"},
	}})
	get := func(path string) (jsonObject, []jsonObject, bool) {
		t.Helper()
		r := s.Do(t, http.MethodGet, path, nil, tok)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		var one struct {
			Data     json.RawMessage `json:"data"`
			Included *[]jsonObject   `json:"included"`
		}
		if err := json.Unmarshal(r.Body, &one); err != nil {
			t.Fatal(err)
		}
		var obj jsonObject
		if err := json.Unmarshal(one.Data, &obj); err != nil {
			var list []jsonObject
			if err := json.Unmarshal(one.Data, &list); err != nil || len(list) != 1 {
				t.Fatalf("%s: data %s", path, one.Data)
			}
			obj = list[0]
		}
		if one.Included == nil {
			return obj, nil, false
		}
		return obj, *one.Included, true
	}

	// Plain read: a list with src, no contents, the yjs entry hidden.
	obj, _, hasIncluded := get("/api/profile/" + id)
	list := avatarEntries(t, obj.Attributes)
	if len(list) != 2 || list[0]["src"] != "faces/face.png" || list[1]["src"] != "note.txt" || hasIncluded {
		t.Fatalf("plain read: %v (included %v)", list, hasIncluded)
	}
	for _, e := range list {
		if _, ok := e["contents"]; ok {
			t.Fatalf("contents without included_relations: %v", e)
		}
	}

	want := map[string][]byte{"face.png": img, "note.txt": txt}
	check := func(path string, entries int) {
		t.Helper()
		obj, inc, _ := get(path)
		list := avatarEntries(t, obj.Attributes)
		if len(list) != entries {
			t.Fatalf("%s: %d entries: %v", path, len(list), list)
		}
		files := 0
		for _, e := range list {
			name := e["name"].(string)
			if w, ok := want[name]; ok {
				if e["contents"] != base64.StdEncoding.EncodeToString(w) || e["reference_id"] != name {
					t.Fatalf("%s: entry %s: %v", path, name, e)
				}
				files++
			}
		}
		if files != 2 {
			t.Fatalf("%s: %d files with contents", path, files)
		}
		got := 0
		for _, o := range inc {
			if o.Type != "file.png|jpg" {
				continue
			}
			if w, ok := want[o.ID]; ok && o.Attributes["contents"] == base64.StdEncoding.EncodeToString(w) {
				got++
			}
		}
		if got != 2 {
			t.Fatalf("%s: included has %d of the 2 files: %+v", path, got, inc)
		}
	}
	check("/api/profile/"+id+"?included_relations=avatar", 2)
	check("/api/profile/"+id+"?included_relations=*", 2)
	check("/api/profile/"+id+"?included_relations=avatar,x-crdt/yjs", 3)
	check("/api/profile?included_relations=avatar", 2)
	if r := s.Do(t, http.MethodGet, "/api/profile/"+id+"?included_relations=nosuch", nil, tok); r.Status != http.StatusBadRequest {
		t.Fatalf("unknown relation: %d %s", r.Status, r.Body)
	}
}
