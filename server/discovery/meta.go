package discovery

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/apiary/apiary/schema"
)

// metaMaxAge is how long clients and proxies may keep /meta answers.
const metaMaxAge = 24 * time.Hour

// metaCacheControl is Daptin's caching header for /meta.
const metaCacheControl = "public, max-age=86400, s-maxage=86400, immutable"

// typeEntry is one column type as /meta?query=column_types shows it, in
// Daptin's key order. Nil Validations and Conformations encode as null.
type typeEntry struct {
	BlueprintType string      `json:"BlueprintType"`
	Name          string      `json:"Name"`
	Validations   []string    `json:"Validations"`
	Conformations []string    `json:"Conformations"`
	ReclineType   string      `json:"ReclineType"`
	DataTypes     []string    `json:"DataTypes"`
	GraphqlType   graphqlType `json:"GraphqlType"`
}

// graphqlType names the GraphQL scalar of a column type.
type graphqlType struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// metaDoc is the column type document, built once: the registry never
// changes while the process runs.
type metaDoc struct {
	body []byte
	etag string
}

func newMetaDoc() *metaDoc {
	types := schema.Types()
	m := make(map[string]typeEntry, len(types))
	for _, ct := range types {
		m[ct.Name] = typeEntry{
			BlueprintType: ct.BlueprintType, Name: ct.Name,
			Validations: ct.Validations, Conformations: ct.Conformations,
			ReclineType: ct.ReclineType, DataTypes: ct.DataTypes,
			GraphqlType: graphqlType{Name: ct.GraphQLType, Description: ct.GraphQLDescription},
		}
	}
	body, err := json.Marshal(m) // map keys come out sorted
	if err != nil {
		panic("discovery: encode column types: " + err.Error()) // only strings and slices: cannot fail
	}
	sum := sha256.Sum256(body)
	return &metaDoc{body: body, etag: `W/"` + hex.EncodeToString(sum[:]) + `"`}
}

// metaHandler answers GET /meta. With query=column_types it sends the type
// registry (JSON sent as text/plain, as Daptin); any other or no query is
// a 200 with an empty body. Both carry a day of public caching.
func (h *handlers) metaHandler(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Cache-Control", metaCacheControl)
	hd.Set("Pragma", "cache")
	hd.Set("Expires", time.Now().Add(metaMaxAge).UTC().Format(http.TimeFormat))
	if r.URL.Query().Get("query") != "column_types" {
		hd.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	hd.Set("ETag", h.meta.etag)
	if etagMatches(r.Header.Get("If-None-Match"), h.meta.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(h.meta.body)
}

// etagMatches applies If-None-Match's weak comparison: any listed tag
// equal to etag once W/ prefixes are dropped, or "*".
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == want {
			return true
		}
	}
	return false
}
