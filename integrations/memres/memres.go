// Package memres is an in-memory resource.Service for the unit tests of
// the integration packages: tables of rows by reference id, equality
// conditions, change events, users by e-mail and a readers list that
// stands for row permissions. Methods the packages do not use panic.
package memres

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Res is the fake. Deny maps "table/ref" to the user references that
// may not read the row (403), to exercise permission paths.
type Res struct {
	resource.Service // nil: unused methods panic
	mu               sync.Mutex
	tables           map[string]map[string]resource.Row
	subs             map[int]func(resource.Change)
	next             int
	Deny             map[string][]string
	// Fail makes Create/Update of a table fail with the error.
	Fail map[string]error
	// Sc is what Schema returns.
	Sc *schema.Schema
}

// Schema returns Sc.
func (r *Res) Schema() *schema.Schema { return r.Sc }

var _ resource.Service = (*Res)(nil)

// New returns an empty fake.
func New() *Res {
	return &Res{tables: map[string]map[string]resource.Row{}, subs: map[int]func(resource.Change){}, Deny: map[string][]string{}, Fail: map[string]error{}}
}

// Put stores a row as it is, without an event, and returns its ref.
func (r *Res) Put(table, ref string, attrs map[string]any) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tables[table] == nil {
		r.tables[table] = map[string]resource.Row{}
	}
	if ref == "" {
		r.next++
		ref = fmt.Sprintf("%s-%d", table, r.next)
	}
	r.tables[table][ref] = resource.Row{Table: table, RefID: ref, Attrs: maps.Clone(attrs)}
	return ref
}

// Drop removes a row without an event (another node's delete).
func (r *Res) Drop(table, ref string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.tables[table], ref)
}

// Rows returns a table's rows ordered by reference id.
func (r *Res) Rows(table string) []resource.Row {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]resource.Row, 0, len(r.tables[table]))
	for _, row := range r.tables[table] {
		out = append(out, resource.Row{Table: row.Table, RefID: row.RefID, Attrs: maps.Clone(row.Attrs)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RefID < out[j].RefID })
	return out
}

func (r *Res) denied(ctx context.Context, table, ref string) bool {
	p := auth.PrincipalFrom(ctx)
	if p.System || p.Admin {
		return false
	}
	for _, u := range r.Deny[table+"/"+ref] {
		if u == p.UserRef {
			return true
		}
	}
	return false
}

func notFound(table, ref string) error {
	return &resource.Error{Kind: resource.ErrNotFound, Title: "not found", Detail: table + " " + ref}
}

// Get returns a row unless it is missing or denied to the caller.
func (r *Res) Get(ctx context.Context, table, ref string, _ resource.Query) (resource.Row, error) {
	r.mu.Lock()
	row, ok := r.tables[table][ref]
	r.mu.Unlock()
	if !ok {
		return resource.Row{}, notFound(table, ref)
	}
	if r.denied(ctx, table, ref) {
		return resource.Row{}, resource.Refused("forbidden", table)
	}
	row.Attrs = maps.Clone(row.Attrs)
	return row, nil
}

// List returns the rows the caller may read that meet every condition
// (compared as text), a page at a time.
func (r *Res) List(ctx context.Context, table string, q resource.Query) (resource.Page, error) {
	var all []resource.Row
	for _, row := range r.Rows(table) {
		if r.denied(ctx, table, row.RefID) {
			continue
		}
		keep := true
		for _, c := range q.Conditions {
			keep = keep && meets(row.Attrs[c.Column], c)
		}
		if keep {
			all = append(all, row)
		}
	}
	size := q.PageSize
	if size <= 0 {
		size = resource.DefaultPageSize
	}
	page := max(q.PageNumber, 1)
	from := min((page-1)*size, len(all))
	to := min(from+size, len(all))
	return resource.Page{Rows: all[from:to], Total: int64(len(all)), Number: page, Size: size}, nil
}

// Create stores a new row and publishes the change.
func (r *Res) Create(_ context.Context, table string, in resource.Input) (resource.Row, error) {
	if err := r.Fail[table]; err != nil {
		return resource.Row{}, err
	}
	ref := r.Put(table, in.ID, in.Attributes)
	row, _ := r.Get(auth.WithPrincipal(context.Background(), auth.System()), table, ref, resource.Query{})
	r.publish(resource.Change{Table: table, Op: resource.OpCreate, RefID: ref, Row: row.Attrs})
	return row, nil
}

// Update merges attributes into a row and publishes the change.
func (r *Res) Update(ctx context.Context, table, ref string, in resource.Input) (resource.Row, error) {
	if err := r.Fail[table]; err != nil {
		return resource.Row{}, err
	}
	row, err := r.Get(ctx, table, ref, resource.Query{})
	if err != nil {
		return row, err
	}
	maps.Copy(row.Attrs, in.Attributes)
	r.Put(table, ref, row.Attrs)
	r.publish(resource.Change{Table: table, Op: resource.OpUpdate, RefID: ref, Row: row.Attrs})
	return row, nil
}

// Delete removes a row and publishes the change.
func (r *Res) Delete(ctx context.Context, table, ref string) error {
	row, err := r.Get(ctx, table, ref, resource.Query{})
	if err != nil {
		return err
	}
	r.mu.Lock()
	delete(r.tables[table], ref)
	r.mu.Unlock()
	r.publish(resource.Change{Table: table, Op: resource.OpDelete, RefID: ref, Row: row.Attrs})
	return nil
}

// InTx runs fn on the fake itself (no rollback).
func (r *Res) InTx(_ context.Context, fn func(tx resource.Service) error) error { return fn(r) }

// PrincipalByEmail finds a user_account row by email.
func (r *Res) PrincipalByEmail(_ context.Context, email string) (auth.Principal, error) {
	for _, row := range r.Rows("user_account") {
		if row.Attrs["email"] == email {
			return auth.Principal{UserID: 1, UserRef: row.RefID, Email: email}, nil
		}
	}
	return auth.Principal{}, notFound("user_account", email)
}

// Subscribe follows changes.
func (r *Res) Subscribe(fn func(resource.Change)) func() {
	r.mu.Lock()
	id := r.next
	r.next++
	r.subs[id] = fn
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(r.subs, id)
		r.mu.Unlock()
	}
}

func (r *Res) publish(c resource.Change) {
	r.mu.Lock()
	fns := make([]func(resource.Change), 0, len(r.subs))
	for _, fn := range r.subs {
		fns = append(fns, fn)
	}
	r.mu.Unlock()
	for _, fn := range fns {
		fn(c)
	}
}

// meets compares a value with a condition: lt and gt as numbers, like
// with % at either end as a substring, every other operator as equal
// text.
func meets(v any, c resource.Condition) bool {
	switch c.Operator {
	case "like":
		return strings.Contains(fmt.Sprint(v), strings.Trim(fmt.Sprint(c.Value), "%"))
	case "lt", "gt":
		a, errA := strconv.ParseFloat(fmt.Sprint(v), 64)
		b, errB := strconv.ParseFloat(fmt.Sprint(c.Value), 64)
		if errA != nil || errB != nil {
			return false
		}
		if c.Operator == "lt" {
			return a < b
		}
		return a > b
	}
	return fmt.Sprint(v) == fmt.Sprint(c.Value)
}
