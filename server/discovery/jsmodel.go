package discovery

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/httperr"
)

// jsModel is the /jsmodel document (contract core.md §10.3), in Daptin's
// key order.
type jsModel struct {
	ColumnModel           map[string]any   `json:"ColumnModel"`
	Actions               []actionModel    `json:"Actions"`
	StateMachines         []map[string]any `json:"StateMachines"`
	IsStateMachineEnabled bool             `json:"IsStateMachineEnabled"`
}

// columnInfo is a column with every field present, as Daptin encodes its
// ColumnInfo (the schema's own JSON form omits empty ones).
type columnInfo struct {
	Name              string                `json:"Name"`
	ColumnName        string                `json:"ColumnName"`
	ColumnDescription string                `json:"ColumnDescription"`
	ColumnType        string                `json:"ColumnType"`
	IsPrimaryKey      bool                  `json:"IsPrimaryKey"`
	IsAutoIncrement   bool                  `json:"IsAutoIncrement"`
	IsIndexed         bool                  `json:"IsIndexed"`
	IsUnique          bool                  `json:"IsUnique"`
	IsNullable        bool                  `json:"IsNullable"`
	Permission        int64                 `json:"Permission"`
	IsForeignKey      bool                  `json:"IsForeignKey"`
	ExcludeFromApi    bool                  `json:"ExcludeFromApi"`
	ForeignKeyData    schema.ForeignKeyData `json:"ForeignKeyData"`
	DataType          string                `json:"DataType"`
	DefaultValue      string                `json:"DefaultValue"`
	Options           []schema.ColumnOption `json:"Options"`
}

// relationInfo is a ColumnModel entry for a relation; the JS client treats
// an entry as a relation exactly when it has the jsonApi key.
type relationInfo struct {
	JSONAPI    string `json:"jsonApi"` // hasOne or hasMany
	ColumnType string `json:"columnType"`
	Type       string `json:"type"`
	ColumnName string `json:"ColumnName"`
}

// actionModel is an action of the table; OutFields is always null (the
// steps of an action are not the client's business).
type actionModel struct {
	Name                    string             `json:"Name"`
	Label                   string             `json:"Label"`
	OnType                  string             `json:"OnType"`
	InstanceOptional        bool               `json:"InstanceOptional"`
	RequestSubjectRelations []string           `json:"RequestSubjectRelations"`
	InFields                []columnInfo       `json:"InFields"`
	OutFields               []schema.Outcome   `json:"OutFields"`
	Validations             []schema.ColumnTag `json:"Validations"`
	Conformations           []schema.ColumnTag `json:"Conformations"`
}

// jsmodel answers GET /jsmodel/{entity}, /jsmodel/{entity}.js and
// /jsmodel/{entity}.json for any caller: it shows the shape of a table, not
// its rows. The JSON goes out as text/plain, as Daptin sends it.
func (h *handlers) jsmodel(w http.ResponseWriter, r *http.Request) error {
	name := chi.URLParam(r, "entity")
	for _, ext := range []string{".json", ".js"} {
		if base, ok := strings.CutSuffix(name, ext); ok {
			name = base
			break
		}
	}
	sc := h.d.Schema()
	t, ok := sc.Table(name)
	if !ok {
		return httperr.New(http.StatusNotFound, "not found", "no table named "+name)
	}
	machines, err := h.stateMachines(r.Context(), sc, name)
	if err != nil {
		return err
	}
	doc := jsModel{
		ColumnModel:           columnModel(t),
		Actions:               tableActions(sc, name),
		StateMachines:         machines,
		IsStateMachineEnabled: t.IsStateTrackingEnabled,
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(body)
	return nil
}

// columnModel lists every API column as a full column object and every
// relation as a relation entry. The internal id, excluded columns and
// foreign keys to rows (shown as relations) are left out; __type and
// relation_reference_id are added as Daptin does.
func columnModel(t *schema.Table) map[string]any {
	out := make(map[string]any, len(t.Columns)+len(t.Links)+2)
	out["__type"] = columnInfo{Name: "type", ColumnName: "__type", ColumnType: "hidden"}
	for _, c := range t.Columns {
		if c.ExcludeFromApi || c.IsPrimaryKey || c.ColumnName == schema.ColID {
			continue
		}
		if c.IsForeignKey && c.ForeignKeyData.DataSource == "self" {
			continue
		}
		out[c.ColumnName] = toColumnInfo(c)
		if c.ColumnName == schema.ColReferenceID {
			out["relation_reference_id"] = toColumnInfo(c)
		}
	}
	for _, l := range t.Links {
		kind := "hasMany"
		if !l.Reverse && !l.ToMany {
			kind = "hasOne"
		}
		out[l.Name] = relationInfo{JSONAPI: kind, ColumnType: "entity", Type: l.Target, ColumnName: l.Name}
	}
	return out
}

func toColumnInfo(c schema.Column) columnInfo {
	return columnInfo{
		Name: c.Name, ColumnName: c.ColumnName, ColumnDescription: c.ColumnDescription, ColumnType: c.ColumnType,
		IsPrimaryKey: c.IsPrimaryKey, IsAutoIncrement: c.IsAutoIncrement, IsIndexed: c.IsIndexed, IsUnique: c.IsUnique,
		IsNullable: c.IsNullable, Permission: c.Permission, IsForeignKey: c.IsForeignKey, ExcludeFromApi: c.ExcludeFromApi,
		ForeignKeyData: c.ForeignKeyData, DataType: c.DataType, DefaultValue: c.DefaultValue, Options: c.Options,
	}
}

// tableActions are the actions whose OnType is table, never nil.
func tableActions(sc *schema.Schema, table string) []actionModel {
	out := []actionModel{}
	for _, a := range sc.Actions {
		if a.OnType != table {
			continue
		}
		in := make([]columnInfo, 0, len(a.InFields))
		for _, c := range a.InFields {
			in = append(in, toColumnInfo(c))
		}
		rel := a.RequestSubjectRelations
		if rel == nil {
			rel = []string{}
		}
		out = append(out, actionModel{Name: a.Name, Label: a.Label, OnType: a.OnType, InstanceOptional: a.InstanceOptional,
			RequestSubjectRelations: rel, InFields: in, Validations: a.Validations, Conformations: a.Conformations})
	}
	return out
}

// stateMachines lists the smd rows linked to the table's world row, read
// as the system principal: the list describes the table, whoever asks.
// A table without a world row (not yet bootstrapped) has none.
func (h *handlers) stateMachines(ctx context.Context, sc *schema.Schema, table string) ([]map[string]any, error) {
	out := []map[string]any{}
	if h.d.Res == nil {
		return out, nil
	}
	world, ok := sc.Table(schema.TableWorld)
	if !ok {
		return out, nil
	}
	relation := ""
	for _, l := range world.Links {
		if l.Target == schema.TableSMD && !l.Reverse {
			relation = l.Name
			break
		}
	}
	if relation == "" {
		return out, nil
	}
	res := h.d.Res()
	sys := auth.WithPrincipal(ctx, auth.System())
	page, err := res.List(sys, schema.TableWorld, resource.Query{PageSize: 1, Conditions: []resource.Condition{
		{Column: "table_name", Operator: "is", Value: table}}})
	if err != nil || len(page.Rows) == 0 {
		return out, err
	}
	linked, err := res.Related(sys, schema.TableWorld, page.Rows[0].RefID, relation, resource.Query{PageSize: resource.MaxPageSize})
	if err != nil {
		return nil, err
	}
	for _, row := range linked.Rows {
		out = append(out, row.Attrs)
	}
	return out, nil
}
