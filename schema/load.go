package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"
)

// Source is one parsed schema document and where it came from.
type Source struct {
	Path string
	File File
}

// schemaExts are the file extensions the loader parses.
var schemaExts = map[string]bool{".json": true, ".yaml": true, ".yml": true, ".toml": true}

// LoadDir parses every schema_*.json, .yaml, .yml and .toml file directly in
// dir, in name order. The first bad file stops loading with an *Error naming
// it (and the line, where the parser knows it).
func LoadDir(dir string) ([]Source, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "schema_*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(matches)
	var out []Source
	for _, path := range matches {
		if !schemaExts[strings.ToLower(filepath.Ext(path))] {
			continue
		}
		if st, err := os.Stat(path); err != nil || st.IsDir() {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &Error{File: path, Msg: err.Error()}
		}
		f, err := Parse(path, data)
		if err != nil {
			return nil, err
		}
		out = append(out, Source{Path: path, File: f})
	}
	return out, nil
}

// Parse decodes one schema document; the format is chosen by the extension
// of name (.json, .yaml/.yml, .toml). YAML and TOML are converted to JSON
// first, so keys match case-insensitively in every format.
func Parse(name string, data []byte) (File, error) {
	var f File
	jsonData := data
	isJSON := true
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return f, &Error{File: name, Line: yamlLine(err), Msg: "invalid YAML: " + err.Error()}
		}
		b, err := json.Marshal(yamlToJSON(v))
		if err != nil {
			return f, &Error{File: name, Msg: "invalid YAML: " + err.Error()}
		}
		jsonData, isJSON = b, false
	case ".toml":
		var v map[string]any
		if _, err := toml.Decode(string(data), &v); err != nil {
			var pe toml.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Position.Line
			}
			return f, &Error{File: name, Line: line, Msg: "invalid TOML: " + err.Error()}
		}
		b, err := json.Marshal(v)
		if err != nil {
			return f, &Error{File: name, Msg: "invalid TOML: " + err.Error()}
		}
		jsonData, isJSON = b, false
	case ".json", "":
	default:
		return f, &Error{File: name, Msg: "unsupported schema format (want .json, .yaml, .yml or .toml)"}
	}
	dec := json.NewDecoder(bytes.NewReader(jsonData))
	if err := dec.Decode(&f); err != nil {
		return f, jsonError(name, jsonData, err, isJSON)
	}
	return f, nil
}

func jsonError(name string, data []byte, err error, lines bool) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		off = se.Offset
		msg = "invalid JSON: " + se.Error()
	case errors.As(err, &te):
		off = te.Offset
		msg = fmt.Sprintf("field %s: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	e := &Error{File: name, Msg: msg}
	if lines && off >= 0 && int(off) <= len(data) {
		e.Line = 1 + bytes.Count(data[:off], []byte("\n"))
	}
	return e
}

func yamlLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	var line int
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &line)
	}
	return line
}

// yamlToJSON turns YAML's decoded values into values encoding/json accepts.
func yamlToJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			t[k] = yamlToJSON(val)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, val := range t {
			m[fmt.Sprint(k)] = yamlToJSON(val)
		}
		return m
	case []any:
		for i := range t {
			t[i] = yamlToJSON(t[i])
		}
		return t
	default:
		return v
	}
}
