package asset

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"

	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/httperr"
	"github.com/apiary/apiary/storage/blob"
)

// MaxIncludedFile is the largest file whose contents a read with
// included_relations embeds (as base64, in memory); larger entries come
// back without "contents" and are fetched from /asset instead.
const MaxIncludedFile = 16 << 20

// ReadFiles returns the entries of one asset column with each file's
// contents (base64) and reference_id (the file name), as Daptin answers a
// read with included_relations=<column>. A file missing from the store is
// left out, as Daptin does; a store that cannot be opened is an error.
func (f *Files) ReadFiles(ctx context.Context, table string, col *schema.Column, list []map[string]any) ([]map[string]any, error) {
	st, err := f.Stores.ByName(ctx, col.ForeignKeyData.Namespace)
	if err != nil {
		return nil, httperr.New(http.StatusBadGateway, "cloud store unavailable",
			fmt.Sprintf("column %s of %s keeps its files in store %q: %v", col.ColumnName, table, col.ForeignKeyData.Namespace, err))
	}
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		src, _ := e["src"].(string)
		name, _ := e["name"].(string)
		if src == "" {
			continue
		}
		p, err := blob.Join(col.ForeignKeyData.KeyName, src)
		if err != nil {
			continue
		}
		item := maps.Clone(e)
		item["reference_id"] = name
		data, err := readSmall(ctx, st, p)
		switch {
		case err == errTooLarge:
		case err != nil:
			continue
		default:
			item["contents"] = base64.StdEncoding.EncodeToString(data)
		}
		out = append(out, item)
	}
	return out, nil
}

var errTooLarge = fmt.Errorf("file larger than %d bytes", MaxIncludedFile)

// readSmall reads a file of at most MaxIncludedFile bytes.
func readSmall(ctx context.Context, st *blob.Store, p string) ([]byte, error) {
	rc, info, err := st.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if info.Size > MaxIncludedFile {
		return nil, errTooLarge
	}
	return io.ReadAll(io.LimitReader(rc, MaxIncludedFile))
}
