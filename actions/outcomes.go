package actions

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
)

// Outcome methods (contract core.md §6.6).
const (
	methodPost       = "POST"
	methodPatch      = "PATCH"
	methodDelete     = "DELETE"
	methodGet        = "GET"
	methodGetByID    = "GET_BY_ID"
	methodExecute    = "EXECUTE"
	methodResponse   = "ACTIONRESPONSE"
	methodSwitchUser = "SWITCH_USER"
)

// runOutcomes runs a schema-defined action's OutFields in order inside one
// transaction: a failing outcome rolls back every write of the earlier ones
// and no response of them reaches the client (contract core.md §6.3 step 8).
func (e *Executor) runOutcomes(ctx context.Context, req Request) ([]Response, error) {
	var out []Response
	err := req.Res.InTx(ctx, func(tx resource.Service) error {
		out = nil
		r := &outcomeRun{e: e, tx: tx, req: req, p: auth.PrincipalFrom(ctx)}
		scope, err := r.scope(ctx)
		if err != nil {
			return err
		}
		r.vars = scope
		for i := range req.Action.OutFields {
			o := &req.Action.OutFields[i]
			resps, err := r.run(ctx, o)
			if err != nil {
				return err
			}
			if !o.SkipInResponse {
				out = append(out, resps...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Response{}
	}
	return out, nil
}

// outcomeRun is the state of one action call while its outcomes run.
type outcomeRun struct {
	e    *Executor
	tx   resource.Service // bound to the action's transaction
	req  Request
	p    auth.Principal // the acting user; SWITCH_USER changes it
	vars map[string]any // what expressions see (contract core.md §6.6)
}

// scope builds the expression context: in-fields, attributes, subject,
// {type}_id and user. Internal ids never appear; "id" is a reference id.
func (r *outcomeRun) scope(ctx context.Context) (map[string]any, error) {
	vars := make(map[string]any, len(r.req.Attributes)+4)
	for k, v := range r.req.Attributes {
		vars[k] = v
	}
	vars["attributes"] = r.req.Attributes
	if s := r.req.Subject; s != nil {
		vars["subject"] = outcomeRow(*s)
		vars[r.req.Type+"_id"] = s.RefID
	}
	user, err := r.userMap(ctx, r.p)
	if err != nil {
		return nil, err
	}
	vars["user"] = user
	return vars, nil
}

// userMap is the user row of p as expressions see it: its attributes with
// id = reference_id. Guests get an empty map.
func (r *outcomeRun) userMap(ctx context.Context, p auth.Principal) (map[string]any, error) {
	m := map[string]any{}
	if p.UserRef == "" {
		return m, nil
	}
	row, err := r.tx.Get(auth.WithPrincipal(ctx, auth.System()), schema.TableUser, p.UserRef, resource.Query{})
	if err != nil {
		return nil, err
	}
	m = outcomeRow(row)
	m["id"], m["email"], m["name"] = p.UserRef, p.Email, p.Name
	return m, nil
}

// outcomeRow copies a row's attributes with its reference_id and __type.
func outcomeRow(row resource.Row) map[string]any {
	m := make(map[string]any, len(row.Attrs)+2)
	for k, v := range row.Attrs {
		m[k] = v
	}
	m[schema.ColReferenceID] = row.RefID
	if _, ok := m["__type"]; !ok {
		m["__type"] = row.Table
	}
	return m
}

// run evaluates one outcome's condition and attributes, performs it and
// stores its result under its Reference.
func (r *outcomeRun) run(ctx context.Context, o *schema.Outcome) ([]Response, error) {
	if o.Condition != "" {
		ok, err := r.condition(o.Condition)
		if err != nil && o.ContinueOnError {
			return nil, nil
		}
		if err != nil || !ok {
			return nil, err
		}
	}
	v, err := evalValue(o.Attributes, r.vars)
	if err != nil {
		if o.ContinueOnError {
			return nil, nil
		}
		return nil, err
	}
	attrs, _ := v.(map[string]any)
	if attrs == nil {
		attrs = map[string]any{}
	}
	if o.LogToConsole {
		r.e.o.Log.InfoContext(ctx, "action outcome", "action", r.req.Action.Name, "type", o.Type, "method", o.Method)
	}
	resps, result, err := r.perform(ctx, o, attrs)
	if err != nil {
		return nil, err
	}
	if o.Reference != "" {
		r.vars[o.Reference] = result
	}
	return resps, nil
}

// condition evaluates an outcome's Condition. A plain string (no ! or {{)
// is literal: "false", "0" and "" skip the outcome, as Daptin's checks do.
func (r *outcomeRun) condition(c string) (bool, error) {
	v, err := evalValue(c, r.vars)
	if err != nil {
		return false, err
	}
	if s, ok := v.(string); ok && (s == "false" || s == "0") {
		return false, nil
	}
	return jsTruthy(v), nil
}

// crudCtx is ctx for an outcome's CRUD call: the acting user with
// administrator rights. Daptin runs outcomes with the caller's groups plus
// the administrators group, so an action may write what its caller cannot
// (contract core.md §6.3 step 8); the execute permission on the action
// already decided whether the caller may run it. Ownership of created rows
// stays with the acting user.
func (r *outcomeRun) crudCtx(ctx context.Context) context.Context {
	p := r.p
	p.Admin = true
	return auth.WithPrincipal(ctx, p)
}

// perform runs one outcome and returns its responses and the value later
// outcomes see under its Reference.
func (r *outcomeRun) perform(ctx context.Context, o *schema.Outcome, attrs map[string]any) ([]Response, any, error) {
	method := strings.ToUpper(strings.TrimSpace(o.Method))
	switch method {
	case methodPost, methodPatch, methodGetByID:
		row, err := r.rowOutcome(ctx, method, o.Type, attrs)
		if err != nil {
			return nil, nil, err
		}
		m := outcomeRow(row)
		return []Response{{ResponseType: o.Type, Attributes: m}}, m, nil
	case methodDelete:
		ref, err := outcomeRef(method, o.Type, attrs)
		if err != nil {
			return nil, nil, err
		}
		if err := r.tx.Delete(r.crudCtx(ctx), o.Type, ref); err != nil {
			return nil, nil, err
		}
		return []Response{Notify("success", "Success", "Deleted "+o.Type)},
			map[string]any{schema.ColReferenceID: ref, "__type": o.Type}, nil
	case methodGet:
		q, err := outcomeQuery(attrs)
		if err != nil {
			return nil, nil, err
		}
		page, err := r.tx.List(r.crudCtx(ctx), o.Type, q)
		if err != nil {
			return nil, nil, err
		}
		rows := make([]any, len(page.Rows))
		for i, row := range page.Rows {
			rows[i] = outcomeRow(row)
		}
		return []Response{{ResponseType: o.Type, Attributes: rows}}, rows, nil
	case methodResponse:
		attrs["__type"] = o.Type
		return []Response{{ResponseType: o.Type, Attributes: attrs}}, attrs, nil
	case methodSwitchUser:
		user, err := r.switchUser(ctx, attrs)
		return nil, user, err
	}
	return r.execute(ctx, o.Type, strings.TrimSpace(o.Method), attrs)
}

// rowOutcome runs a POST, PATCH or GET_BY_ID outcome.
func (r *outcomeRun) rowOutcome(ctx context.Context, method, table string, attrs map[string]any) (resource.Row, error) {
	cctx := r.crudCtx(ctx)
	if method == methodPost {
		return r.tx.Create(cctx, table, resource.Input{Attributes: attrs})
	}
	ref, err := outcomeRef(method, table, attrs)
	if err != nil {
		return resource.Row{}, err
	}
	if method == methodPatch {
		delete(attrs, schema.ColReferenceID)
		return r.tx.Update(cctx, table, ref, resource.Input{Attributes: attrs})
	}
	var q resource.Query
	if inc := outcomeText(attrs["included_relations"]); inc != "" {
		q.Include = strings.Split(inc, ",")
	}
	return r.tx.Get(cctx, table, ref, q)
}

// outcomeRef returns the reference_id a PATCH, DELETE or GET_BY_ID needs.
func outcomeRef(method, table string, attrs map[string]any) (string, error) {
	ref := outcomeText(attrs[schema.ColReferenceID])
	if ref == "" {
		return "", Fail(http.StatusBadRequest, "%s outcome on %s needs a reference_id", method, table)
	}
	return ref, nil
}

// outcomeQuery turns a GET outcome's attributes into a query: query (JSON
// text or list), filter, page[size], page[number] and sort. Other keys are
// ignored.
func outcomeQuery(attrs map[string]any) (resource.Query, error) {
	var q resource.Query
	conds, err := resource.ConditionsFrom(attrs["query"])
	if err != nil {
		return q, err
	}
	q.Conditions = conds
	q.Keyword = outcomeText(attrs["filter"])
	for key, dst := range map[string]*int{"page[size]": &q.PageSize, "page[number]": &q.PageNumber} {
		if s := outcomeText(attrs[key]); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return q, Fail(http.StatusBadRequest, "GET outcome: %s must be a non-negative integer, got %q", key, s)
			}
			*dst = min(n, resource.MaxPageSize)
		}
	}
	switch v := attrs["sort"].(type) {
	case []any:
		for _, s := range v {
			q.Sort = append(q.Sort, resource.ParseSort(outcomeText(s))...)
		}
	default:
		q.Sort = resource.ParseSort(outcomeText(v))
	}
	return q, nil
}

// switchUser makes the user whose reference id is user_reference_id the
// acting user of the outcomes that follow, and exposes it as user.
func (r *outcomeRun) switchUser(ctx context.Context, attrs map[string]any) (map[string]any, error) {
	ref := outcomeText(attrs["user_reference_id"])
	if ref == "" {
		return nil, Fail(http.StatusBadRequest, "SWITCH_USER outcome needs a user_reference_id")
	}
	row, err := r.tx.Get(auth.WithPrincipal(ctx, auth.System()), schema.TableUser, ref, resource.Query{})
	if err != nil {
		return nil, err
	}
	p, err := r.tx.PrincipalByEmail(ctx, outcomeText(row.Attrs["email"]))
	if err != nil {
		return nil, err
	}
	user, err := r.userMap(ctx, p)
	if err != nil {
		return nil, err
	}
	r.p, r.vars["user"] = p, user
	return user, nil
}

// execute runs an internal performer with the evaluated attributes. Its
// Reference is the attributes of its only response, or the list of them.
func (r *outcomeRun) execute(ctx context.Context, name, method string, attrs map[string]any) ([]Response, any, error) {
	perform, ok := r.e.performers[name]
	if !ok && r.e.dynamic != nil {
		perform, ok = r.e.dynamic.Performer(name, method)
	}
	if !ok {
		return nil, nil, Fail(http.StatusBadRequest, "unknown performer %q", name)
	}
	sub := Request{Type: r.req.Type, Action: r.req.Action, Attributes: attrs, Subject: r.req.Subject, Res: r.tx}
	resps, err := perform(auth.WithPrincipal(ctx, r.p), sub)
	if err != nil {
		return nil, nil, err
	}
	if len(resps) == 1 {
		return resps, resps[0].Attributes, nil
	}
	list := make([]any, len(resps))
	for i, rs := range resps {
		list[i] = rs.Attributes
	}
	return resps, list, nil
}
