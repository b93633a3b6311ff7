package server

import (
	"context"
	"encoding/json"
	"maps"

	"github.com/apiary/apiary/actions"
	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations"
	"github.com/apiary/apiary/integrations/connector"
	"github.com/apiary/apiary/resource"
	"github.com/apiary/apiary/schema"
	"github.com/apiary/apiary/server/databite"
)

// Installed integration operations are actions on integration (contract
// sidecars.md §10.4): the live schema carries their definitions (so
// /jsmodel, GraphQL and the executor see them), the action table a row
// each (so their permissions can be set), and the executor runs them
// through opActions. Installing, reinstalling or removing an integration
// swaps the schema and brings the rows in step.

// opActions runs installed operations as actions (actions.Dynamic).
type opActions struct{ e *integrations.Engine }

var _ actions.Dynamic = opActions{}

// Action is POST /action/integration/<operationId>: run outside any
// transaction, as an upstream may take its full timeout.
func (o opActions) Action(typ, name string) (actions.Performer, bool) {
	if typ != connector.ActionOnType {
		return nil, false
	}
	p, ok := o.e.Providers.FindOperation(name)
	if !ok {
		return nil, false
	}
	return o.performer(p.Name, name), true
}

// Performer is an outcome {Type: <provider>, Method: <operationId>}.
func (o opActions) Performer(typ, method string) (actions.Performer, bool) {
	p, ok := o.e.Providers.Get(typ)
	if !ok || p.Name != typ {
		return nil, false
	}
	if _, ok := p.Operation(method); !ok {
		return nil, false
	}
	return o.performer(p.Name, method), true
}

// performer calls provider's operation op with the action's attributes
// as inputs; oauth_token_id and credential_id pick the secrets, and
// empty values (in-fields the caller left out) are not sent.
func (o opActions) performer(provider, op string) actions.Performer {
	return func(ctx context.Context, req actions.Request) ([]actions.Response, error) {
		in := make(map[string]any, len(req.Attributes))
		var sec integrations.Secrets
		for k, v := range req.Attributes {
			switch k {
			case "oauth_token_id":
				sec.OAuthTokenID, _ = v.(string)
			case "credential_id":
				sec.CredentialID, _ = v.(string)
			case connector.ActionOnType + "_id":
			default:
				if s, ok := v.(string); !ok || s != "" {
					in[k] = v
				}
			}
		}
		res, err := o.e.Call(ctx, provider, op, in, sec)
		if err != nil {
			status, msg := databite.StatusOf(err)
			return nil, actions.Fail(status, "%s", msg)
		}
		return []actions.Response{{ResponseType: provider, Attributes: res}}, nil
	}
}

// withOperations returns base with the actions of every installed
// operation instead of those named in prev, and the actions added. An
// operation whose name an action of the schema files already has on
// integration is left out (and logged).
func (s *Server) withOperations(base *schema.Schema, prev map[string]bool) (*schema.Schema, []schema.Action) {
	out := make([]schema.Action, 0, len(base.Actions))
	taken := map[string]bool{}
	for _, a := range base.Actions {
		if a.OnType == connector.ActionOnType && prev[a.Name] {
			continue
		}
		if a.OnType == connector.ActionOnType {
			taken[a.Name] = true
		}
		out = append(out, a)
	}
	var added []schema.Action
	for _, p := range s.integ().engine.Providers.List() {
		for _, a := range p.Actions() {
			if taken[a.Name] {
				s.log.Warn("integration operation not made an action: the name is taken", "component", "integrations", "integration", p.Name, "operation", a.Name)
				continue
			}
			taken[a.Name] = true
			added = append(added, a)
		}
	}
	next := *base
	next.Actions = append(out, added...)
	return &next, added
}

// operationsOn is what a schema reload loads: the files' schema plus the
// installed operations (reloadMu held).
func (s *Server) operationsOn(sc *schema.Schema) *schema.Schema {
	st := s.integ()
	next, added := s.withOperations(sc, st.ops)
	st.ops = actionNames(added)
	return next
}

// applyOperations swaps in a schema with the installed operations and
// brings their action rows in step; called whenever the set of installed
// providers changes.
func (s *Server) applyOperations(ctx context.Context) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	st := s.integ()
	next, added := s.withOperations(s.schema.Load(), st.ops)
	now := actionNames(added)
	var removed []string
	for name := range st.ops {
		if !now[name] {
			removed = append(removed, name)
		}
	}
	s.schema.Store(next)
	s.res.Invalidate()
	st.ops = now
	if err := s.syncOperationRows(ctx, added, removed); err != nil {
		s.log.ErrorContext(ctx, "integration action rows not written", "component", "integrations", "err", err)
	}
}

func actionNames(list []schema.Action) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, a := range list {
		m[a.Name] = true
	}
	return m
}

// syncOperationRows writes one action row per added operation (created,
// or updated when its definition changed) and deletes the rows of removed
// ones, as the system.
func (s *Server) syncOperationRows(ctx context.Context, added []schema.Action, removed []string) error {
	sys := auth.WithPrincipal(context.WithoutCancel(ctx), auth.System())
	world, err := s.res.List(sys, schema.TableWorld, resource.Query{PageSize: 1,
		Conditions: []resource.Condition{{Column: "table_name", Operator: "is", Value: connector.ActionOnType}}})
	if err != nil || len(world.Rows) == 0 {
		return err
	}
	wref := world.Rows[0].RefID
	find := func(name string) ([]resource.Row, error) {
		pg, err := s.res.List(sys, schema.TableAction, resource.Query{PageSize: resource.MaxPageSize,
			Conditions: []resource.Condition{{Column: "action_name", Operator: "is", Value: name}},
			RelFilters: map[string][]string{"world_id": {wref}}})
		return pg.Rows, err
	}
	for _, a := range added {
		js, err := json.Marshal(a)
		if err != nil {
			return err
		}
		attrs := map[string]any{"label": a.Label, "instance_optional": a.InstanceOptional, "action_schema": string(js)}
		rows, err := find(a.Name)
		switch {
		case err != nil:
			return err
		case len(rows) == 0:
			create := maps.Clone(attrs)
			create["action_name"] = a.Name
			_, err = s.res.Create(sys, schema.TableAction, resource.Input{Attributes: create,
				Relationships: map[string]resource.RelInput{"world_id": {Refs: []resource.Ref{{Type: schema.TableWorld, ID: wref}}}}})
		case rows[0].Attrs["action_schema"] != string(js) || rows[0].Attrs["label"] != a.Label:
			_, err = s.res.Update(sys, schema.TableAction, rows[0].RefID, resource.Input{Attributes: attrs})
		}
		if err != nil {
			return err
		}
	}
	for _, name := range removed {
		rows, err := find(name)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := s.res.Delete(sys, schema.TableAction, r.RefID); err != nil {
				return err
			}
		}
	}
	return nil
}
