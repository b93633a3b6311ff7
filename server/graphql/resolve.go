package graphql

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/httperr"
)

// resolveRefID answers reference_id.
func resolveRefID(p graphql.ResolveParams) (any, error) {
	if o, ok := p.Source.(*obj); ok {
		return o.row.RefID, nil
	}
	return nil, nil
}

// resolveAttr answers one attribute; JSON values become their text.
func resolveAttr(name string) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		o, ok := p.Source.(*obj)
		if !ok {
			return nil, nil
		}
		switch v := o.row.Attrs[name].(type) {
		case map[string]any, []any:
			b, err := json.Marshal(v)
			if err != nil {
				return nil, nil
			}
			return string(b), nil
		case []byte:
			return string(v), nil
		default:
			return v, nil
		}
	}
}

// relationField is the field of one relation: the target type, nullable,
// or a list of it with a page argument.
func (h *Handler) relationField(l *schema.Link, target *graphql.Object, page *graphql.InputObject) *graphql.Field {
	if !l.ToMany {
		return &graphql.Field{Type: target, Description: "Related " + l.Target + " (null when none or not readable).",
			Resolve: func(p graphql.ResolveParams) (any, error) {
				o, ok := p.Source.(*obj)
				if !ok {
					return nil, nil
				}
				rows, err := o.related(p.Context, h.d.Res(), l)
				if err != nil || len(rows) == 0 {
					return nil, fieldErr(h, p, err)
				}
				return rows[0], nil
			}}
	}
	return &graphql.Field{Type: graphql.NewList(target), Description: "Related " + l.Target + " rows.",
		Args: graphql.FieldConfigArgument{"page": {Type: page}},
		Resolve: func(p graphql.ResolveParams) (any, error) {
			o, ok := p.Source.(*obj)
			if !ok {
				return nil, nil
			}
			rows, err := o.related(p.Context, h.d.Res(), l)
			if err != nil {
				return nil, fieldErr(h, p, err)
			}
			if pg, ok := p.Args["page"].(map[string]any); ok {
				number, _ := pg["number"].(int)
				size, _ := pg["size"].(int)
				rows = slicePage(rows, number, size)
			}
			if rows == nil {
				rows = []*obj{}
			}
			return rows, nil
		}}
}

// slicePage cuts one page out of rows; zero values mean the whole list.
func slicePage(rows []*obj, number, size int) []*obj {
	if size <= 0 {
		return rows
	}
	number = max(number, 1)
	start := (number - 1) * size
	if start >= len(rows) {
		return nil
	}
	return rows[start:min(start+size, len(rows))]
}

// queryOf reads the list arguments.
func queryOf(args map[string]any) (resource.Query, error) {
	var q resource.Query
	if s, ok := args["filter"].(string); ok {
		q.Keyword = s
	}
	if pg, ok := args["page"].(map[string]any); ok {
		q.PageNumber, _ = pg["number"].(int)
		q.PageSize, _ = pg["size"].(int)
	}
	if s, ok := args["sort"].(string); ok {
		for _, k := range strings.Split(s, ",") {
			if k = strings.TrimSpace(k); k != "" {
				desc := strings.HasPrefix(k, "-")
				q.Sort = append(q.Sort, resource.SortKey{Column: strings.TrimLeft(k, "-+"), Desc: desc})
			}
		}
	}
	conds, err := resource.ConditionsFrom(args["query"])
	if err != nil {
		return q, err
	}
	q.Conditions = conds
	return q, nil
}

// selectedLinks lists the relations of t the field's selection asks for,
// so a list can include them in its own query.
func selectedLinks(t *schema.Table, info graphql.ResolveInfo) []*schema.Link {
	var out []*schema.Link
	seen := map[string]bool{}
	var walk func(ss *ast.SelectionSet)
	walk = func(ss *ast.SelectionSet) {
		if ss == nil {
			return
		}
		for _, sel := range ss.Selections {
			switch s := sel.(type) {
			case *ast.Field:
				if l, ok := t.Link(s.Name.Value); ok && !seen[l.Name] {
					seen[l.Name] = true
					out = append(out, l)
				}
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if fd, ok := info.Fragments[s.Name.Value].(*ast.FragmentDefinition); ok {
					walk(fd.SelectionSet)
				}
			}
		}
	}
	for _, f := range info.FieldASTs {
		walk(f.SelectionSet)
	}
	return out
}

// includeNames are the relation names to pass as Query.Include.
func includeNames(links []*schema.Link) []string {
	names := make([]string, len(links))
	for i, l := range links {
		names[i] = l.Name
	}
	return names
}

// resolveList answers <table>: one List with the selected relations included.
func (h *Handler) resolveList(t *schema.Table) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		q, err := queryOf(p.Args)
		if err != nil {
			return nil, fieldErr(h, p, err)
		}
		links := selectedLinks(t, p.Info)
		q.Include = includeNames(links)
		page, err := h.d.Res().List(p.Context, t.TableName, q)
		if err != nil {
			return nil, fieldErr(h, p, err)
		}
		set := newSet(t.TableName, page.Rows)
		set.adopt(links, page.Included)
		return set.rows, nil
	}
}

// resolveGet answers <table>ById.
func (h *Handler) resolveGet(t *schema.Table) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		id, _ := p.Args[schema.ColReferenceID].(string)
		links := selectedLinks(t, p.Info)
		row, err := h.d.Res().Get(p.Context, t.TableName, id, resource.Query{Include: includeNames(links)})
		if err != nil {
			return nil, fieldErr(h, p, err)
		}
		set := newSet(t.TableName, []resource.Row{row})
		set.adopt(links, row.Included)
		return set.rows[0], nil
	}
}

// writeAttrs turns mutation arguments into resource attributes.
func writeAttrs(args map[string]any) map[string]any {
	attrs := make(map[string]any, len(args))
	for k, v := range args {
		if k == schema.ColReferenceID {
			continue
		}
		if n, ok := v.(int); ok {
			v = int64(n)
		}
		attrs[k] = v
	}
	return attrs
}

// resolveAdd answers add<Table>.
func (h *Handler) resolveAdd(t *schema.Table) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		row, err := h.d.Res().Create(p.Context, t.TableName, resource.Input{Attributes: writeAttrs(p.Args)})
		if err != nil {
			return nil, fieldErr(h, p, err)
		}
		return newSet(t.TableName, []resource.Row{row}).rows[0], nil
	}
}

// resolveUpdate answers update<Table>.
func (h *Handler) resolveUpdate(t *schema.Table) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		id, _ := p.Args[schema.ColReferenceID].(string)
		row, err := h.d.Res().Update(p.Context, t.TableName, id, resource.Input{Attributes: writeAttrs(p.Args)})
		if err != nil {
			return nil, fieldErr(h, p, err)
		}
		return newSet(t.TableName, []resource.Row{row}).rows[0], nil
	}
}

// resolveDelete answers delete<Table> with the row as it was (Daptin
// answers reference_id null); a row the caller may delete but not read
// comes back with its reference_id only.
func (h *Handler) resolveDelete(t *schema.Table) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		id, _ := p.Args[schema.ColReferenceID].(string)
		if id == "" {
			return nil, fieldErr(h, p, &httperr.Error{Status: http.StatusBadRequest, Title: "reference_id is required"})
		}
		res := h.d.Res()
		row, err := res.Get(p.Context, t.TableName, id, resource.Query{})
		if err != nil {
			row = resource.Row{Table: t.TableName, RefID: id, Attrs: map[string]any{schema.ColReferenceID: id}}
		}
		if err := res.Delete(p.Context, t.TableName, id); err != nil {
			return nil, fieldErr(h, p, err)
		}
		return newSet(t.TableName, []resource.Row{row}).rows[0], nil
	}
}

// resolveAction answers execute<Action>On<Type>: arguments become action
// attributes shaped as a JSON body would give them.
func (h *Handler) resolveAction(typ, name string) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		if h.d.Exec == nil {
			return nil, fieldErr(h, p, httperr.New(http.StatusNotImplemented, "actions are not available", ""))
		}
		attrs := map[string]any{}
		for k, v := range p.Args {
			switch x := v.(type) {
			case int:
				v = float64(x)
			case time.Time:
				v = x.Format(time.RFC3339Nano)
			}
			if k != "attributes" {
				attrs[k] = v
			}
		}
		if more, ok := p.Args["attributes"].(map[string]any); ok {
			for k, v := range more {
				attrs[k] = v
			}
		}
		out, err := h.d.Exec(p.Context, typ, name, attrs)
		if err != nil {
			return nil, fieldErr(h, p, err)
		}
		// [{ResponseType, Attributes}] as plain maps for the default
		// resolvers of ActionResponse and Attributes.
		js, err := json.Marshal(out)
		if err != nil {
			return nil, fieldErr(h, p, err)
		}
		var list []any
		if err := json.Unmarshal(js, &list); err != nil {
			return nil, fieldErr(h, p, err)
		}
		return list, nil
	}
}

// gqlError is a resolver error as clients see it: a message and, in the
// error's extensions, the HTTP status the JSON:API would have answered.
type gqlError struct {
	msg    string
	status int
}

func (e *gqlError) Error() string { return e.msg }

// Extensions implements gqlerrors.ExtendedError.
func (e *gqlError) Extensions() map[string]any { return map[string]any{"status": e.status} }

// fieldErr turns a resource or action error into a gqlError. Internal
// errors are logged and shown only as "internal error".
func fieldErr(h *Handler, p graphql.ResolveParams, err error) error {
	if err == nil {
		return nil
	}
	var ae *actions.Error
	if errors.As(err, &ae) {
		return &gqlError{msg: fmt.Sprintf("http error (%d) %s", ae.Status, ae.Message), status: ae.Status}
	}
	status := httperr.Status(err)
	if status >= http.StatusInternalServerError {
		var he *httperr.Error
		if !errors.As(err, &he) {
			h.log.ErrorContext(p.Context, "graphql resolver failed", "field", p.Info.FieldName, "err", err)
			return &gqlError{msg: "internal error", status: status}
		}
	}
	msg := err.Error()
	if errors.Is(err, resource.ErrForbidden) {
		msg += ": permission denied"
	}
	return &gqlError{msg: fmt.Sprintf("http error (%d) %s", status, msg), status: status}
}
