package jsonapi

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// testSchema is a tiny hand-built schema: todo -> user_account (owner and
// assignee, to-one), todo <-> tag and todo <-> usergroup (to-many).
func testSchema() *schema.Schema {
	return &schema.Schema{Tables: []*schema.Table{
		{TableName: "todo", Links: []schema.Link{
			{Name: "user_account_id", Kind: schema.BelongsTo, Target: "user_account", FKColumn: "user_account_id"},
			{Name: "assignee_id", Kind: schema.BelongsTo, Target: "user_account", FKColumn: "assignee_id", Nullable: true},
			{Name: "tag_id", Kind: schema.HasMany, Target: "tag", ToMany: true, JoinTable: "todo_tag_id_has_tag_tag_id"},
			{Name: "usergroup_id", Kind: schema.HasMany, Target: "usergroup", ToMany: true, JoinTable: "todo_todo_id_has_usergroup_usergroup_id"},
		}},
		{TableName: "user_account", Links: []schema.Link{
			{Name: "todo_id", Kind: schema.BelongsTo, Target: "todo", ToMany: true, Reverse: true},
		}},
		{TableName: "tag"},
	}}
}

// call records one write or relationship call.
type call struct {
	Op, Table, ID, Rel string
	Refs               []resource.Ref
	In                 resource.Input
}

// fakeRes is a map-backed resource.Service. Rows are listed in insertion
// order; Total counts every row of the table.
type fakeRes struct {
	// Service is nil: methods the handlers never call need no stub.
	resource.Service
	mu      sync.Mutex
	s       *schema.Schema
	rows    map[string][]resource.Row // by table
	linkage map[string][]resource.Ref // by table/id/rel
	lastQ   resource.Query
	calls   []call
	failAll error // when set every method returns it
}

func newFake() *fakeRes {
	return &fakeRes{s: testSchema(), rows: map[string][]resource.Row{"todo": nil, "user_account": nil, "tag": nil}, linkage: map[string][]resource.Ref{}}
}

var errNoTable = &resource.Error{Kind: resource.ErrNotFound, Title: "not found", Detail: "no such table"}

func (f *fakeRes) table(t string) ([]resource.Row, error) {
	rows, ok := f.rows[t]
	if !ok {
		return nil, errNoTable
	}
	return rows, nil
}

func (f *fakeRes) find(t, id string) (int, error) {
	rows, err := f.table(t)
	if err != nil {
		return 0, err
	}
	for i, r := range rows {
		if r.RefID == id {
			return i, nil
		}
	}
	return 0, &resource.Error{Kind: resource.ErrNotFound, Title: "not found", Detail: fmt.Sprintf("no %s %s", t, id)}
}

func (f *fakeRes) add(t string, row resource.Row) {
	f.mu.Lock()
	defer f.mu.Unlock()
	row.Table = t
	f.rows[t] = append(f.rows[t], row)
}

func (f *fakeRes) List(_ context.Context, t string, q resource.Query) (resource.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastQ = q
	if f.failAll != nil {
		return resource.Page{}, f.failAll
	}
	rows, err := f.table(t)
	if err != nil {
		return resource.Page{}, err
	}
	n, size := max(q.PageNumber, 1), q.PageSize
	if size == 0 {
		size = resource.DefaultPageSize
	}
	from, to := min((n-1)*size, len(rows)), min(n*size, len(rows))
	return resource.Page{Rows: rows[from:to], Total: int64(len(rows)), Number: n, Size: size}, nil
}

func (f *fakeRes) Get(_ context.Context, t, id string, q resource.Query) (resource.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastQ = q
	i, err := f.find(t, id)
	if err != nil {
		return resource.Row{}, err
	}
	return f.rows[t][i], nil
}

func (f *fakeRes) Create(_ context.Context, t string, in resource.Input) (resource.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{Op: "create", Table: t, In: in})
	if _, err := f.table(t); err != nil {
		return resource.Row{}, err
	}
	id := in.ID
	if id == "" {
		id = "01a2077d-0000-7000-8000-00000000000a"
	}
	attrs := map[string]any{"__type": t, "reference_id": id}
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	row := resource.Row{Table: t, RefID: id, Attrs: attrs}
	if !in.ValidateOnly {
		f.rows[t] = append(f.rows[t], row)
	}
	return row, nil
}

func (f *fakeRes) Update(_ context.Context, t, id string, in resource.Input) (resource.Row, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{Op: "update", Table: t, ID: id, In: in})
	i, err := f.find(t, id)
	if err != nil {
		return resource.Row{}, err
	}
	row := f.rows[t][i]
	for k, v := range in.Attributes {
		row.Attrs[k] = v
	}
	return row, nil
}

func (f *fakeRes) Delete(_ context.Context, t, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{Op: "delete", Table: t, ID: id})
	i, err := f.find(t, id)
	if err != nil {
		return err
	}
	f.rows[t] = append(f.rows[t][:i], f.rows[t][i+1:]...)
	return nil
}

func (f *fakeRes) link(t, rel string) (schema.Link, error) {
	l, ok := findLink(f.s, t, rel)
	if !ok {
		return l, &resource.Error{Kind: resource.ErrNotFound, Title: "not found", Detail: "no relation " + rel}
	}
	return l, nil
}

func (f *fakeRes) Related(_ context.Context, t, id, rel string, q resource.Query) (resource.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastQ = q
	if _, err := f.find(t, id); err != nil {
		return resource.Page{}, err
	}
	l, err := f.link(t, rel)
	if err != nil {
		return resource.Page{}, err
	}
	var out []resource.Row
	for _, ref := range f.linkage[t+"/"+id+"/"+rel] {
		if i, err := f.find(l.Target, ref.ID); err == nil {
			out = append(out, f.rows[l.Target][i])
		}
	}
	return resource.Page{Rows: out, Total: int64(len(out))}, nil
}

func (f *fakeRes) Linkage(_ context.Context, t, id, rel string) ([]resource.Ref, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.find(t, id); err != nil {
		return nil, err
	}
	if _, err := f.link(t, rel); err != nil {
		return nil, err
	}
	return f.linkage[t+"/"+id+"/"+rel], nil
}

func (f *fakeRes) AddLinks(_ context.Context, t, id, rel string, refs []resource.Ref) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{Op: "add", Table: t, ID: id, Rel: rel, Refs: refs})
	if _, err := f.find(t, id); err != nil {
		return err
	}
	_, err := f.link(t, rel)
	return err
}

func (f *fakeRes) RemoveLinks(_ context.Context, t, id, rel string, refs []resource.Ref) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{Op: "remove", Table: t, ID: id, Rel: rel, Refs: refs})
	if _, err := f.find(t, id); err != nil {
		return err
	}
	_, err := f.link(t, rel)
	return err
}

func (f *fakeRes) InTx(ctx context.Context, fn func(tx resource.Service) error) error { return fn(f) }

func (f *fakeRes) Authenticate(context.Context, string, string) (auth.Principal, error) {
	return auth.Principal{}, errors.New("not implemented")
}

func (f *fakeRes) PrincipalByEmail(context.Context, string) (auth.Principal, error) {
	return auth.Principal{}, errors.New("not implemented")
}

func (f *fakeRes) CheckExecute(context.Context, string, string, string) (resource.Row, error) {
	return resource.Row{}, errors.New("not implemented")
}

func (f *fakeRes) BecomeAdministrator(context.Context) error { return errors.New("not implemented") }

func (f *fakeRes) Subscribe(func(resource.Change)) func() { return func() {} }

func (f *fakeRes) Schema() *schema.Schema { return f.s }

func (f *fakeRes) lastCall() call {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return call{}
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeRes) query() resource.Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastQ
}

func (f *fakeRes) VerifySecret(context.Context, string, string, map[string]any, string) (resource.Row, bool, error) {
	return resource.Row{}, false, nil
}

func (f *fakeRes) Invalidate() {}
