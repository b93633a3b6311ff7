package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiary/apiary/auth"
	"github.com/apiary/apiary/integrations/memres"
	"github.com/apiary/apiary/resource"
)

// hookEnv is a Runner over the in-memory resource layer with a REST
// target that refuses rows whose item is "bad" and an action runner
// that records its calls (and fails action "fail").
type hookEnv struct {
	res     *memres.Res
	r       *Runner
	user    string
	mu      sync.Mutex
	posted  []map[string]any
	actions []string
	actAs   []string
	url     string
}

func newHookEnv(t *testing.T) *hookEnv {
	t.Helper()
	e := &hookEnv{res: memres.New()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		e.mu.Lock()
		e.posted = append(e.posted, m)
		e.mu.Unlock()
		if row, _ := m["row"].(map[string]any); row["item"] == "bad" || r.Header.Get("X-Token") != "t" {
			w.WriteHeader(http.StatusUnprocessableEntity)
		}
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.user = e.res.Put("user_account", "", map[string]any{"email": "hook@example.test"})
	e.r = New(Options{Res: func() resource.Service { return e.res }, Log: nil,
		Action: func(ctx context.Context, typ, action string, attrs map[string]any) error {
			e.mu.Lock()
			e.actions = append(e.actions, typ+"/"+action)
			e.actAs = append(e.actAs, auth.PrincipalFrom(ctx).UserRef)
			e.mu.Unlock()
			if action == "fail" {
				return errors.New("the action said no")
			}
			// A hook's own writes do not run hooks again.
			_, err := e.r.Before(ctx, resource.Write{Table: "order", Op: resource.OpCreate, Attrs: map[string]any{"item": "bad"}}), error(nil)
			return err
		}})
	return e
}

func (e *hookEnv) exchange(name, hook, methods, targetType, target string) {
	e.res.Put(Table, name, map[string]any{"name": name, "source_type": "self", "target_type": targetType, "as_user_id": e.user,
		"attributes": `{"name":"order","hook":"` + hook + `","methods":` + methods + `}`, "target_attributes": target})
}

func (e *hookEnv) start(t *testing.T) {
	t.Helper()
	if err := e.r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.r.Stop)
}

func TestBeforeHooks(t *testing.T) {
	e := newHookEnv(t)
	e.exchange("a_rest", HookBefore, `["post","patch"]`, "rest", `{"url":"`+e.url+`/check","headers":{"X-Token":"t"}}`)
	e.exchange("b_act", HookBefore, `["delete"]`, "action", `{"type":"order","action":"fail"}`)
	e.exchange("c_after", HookAfter, `["post"]`, "action", `{"type":"order","action":"later"}`)
	e.start(t)
	existing := e.res.Put("order", "o1", map[string]any{"item": "old", "qty": 2.0})
	ctx := context.Background()
	tests := []struct {
		name    string
		w       resource.Write
		refused string // exchange named in the refusal; "" = accepted
	}{
		{"create accepted", resource.Write{Table: "order", Op: resource.OpCreate, Attrs: map[string]any{"item": "ok"}}, ""},
		{"create refused by the REST target", resource.Write{Table: "order", Op: resource.OpCreate, Attrs: map[string]any{"item": "bad"}}, "a_rest"},
		{"update sees the stored row under the new values", resource.Write{Table: "order", Op: resource.OpUpdate, RefID: existing, Attrs: map[string]any{"item": "bad"}}, "a_rest"},
		{"update accepted", resource.Write{Table: "order", Op: resource.OpUpdate, RefID: existing, Attrs: map[string]any{"qty": 3.0}}, ""},
		{"delete refused by a failing action", resource.Write{Table: "order", Op: resource.OpDelete, RefID: existing}, "b_act"},
		{"another table", resource.Write{Table: "item", Op: resource.OpCreate, Attrs: map[string]any{"item": "bad"}}, ""},
		{"update of a missing row", resource.Write{Table: "order", Op: resource.OpUpdate, RefID: "nope", Attrs: map[string]any{"item": "x"}}, "a_rest"},
	}
	for _, tc := range tests {
		err := e.r.Before(ctx, tc.w)
		switch {
		case tc.refused == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.refused != "" && (!errors.Is(err, resource.ErrForbidden) || !strings.Contains(err.Error(), "data exchange "+tc.refused)):
			t.Errorf("%s: err = %v, want a refusal by %s", tc.name, err, tc.refused)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.posted) != 4 {
		t.Fatalf("REST target called %d times: %v", len(e.posted), e.posted)
	}
	if row, _ := e.posted[2]["row"].(map[string]any); row["item"] != "bad" || row["qty"] != 2.0 || e.posted[2]["event"] != "patch" {
		t.Errorf("the update hook saw %v", e.posted[2])
	}
	if len(e.actions) != 1 || e.actions[0] != "order/fail" || e.actAs[0] != e.user {
		t.Errorf("actions %v as %v (want order/fail as %s; after hooks do not run here)", e.actions, e.actAs, e.user)
	}
}

func TestBeforeHookUserMustReadTheRow(t *testing.T) {
	e := newHookEnv(t)
	e.exchange("a_rest", HookBefore, `["patch"]`, "rest", `{"url":"`+e.url+`/check","headers":{"X-Token":"t"}}`)
	e.start(t)
	ref := e.res.Put("order", "", map[string]any{"item": "x"})
	e.res.Deny["order/"+ref] = []string{e.user}
	err := e.r.Before(context.Background(), resource.Write{Table: "order", Op: resource.OpUpdate, RefID: ref, Attrs: map[string]any{"item": "y"}})
	if err == nil || !strings.Contains(err.Error(), "cannot read the row") {
		t.Errorf("err = %v", err)
	}
}

func TestBeforeHookWithoutUser(t *testing.T) {
	e := newHookEnv(t)
	e.exchange("a_rest", HookBefore, `["post"]`, "rest", `{"url":"`+e.url+`/check"}`)
	e.start(t)
	if err := e.res.Delete(auth.WithPrincipal(context.Background(), auth.System()), "user_account", e.user); err != nil {
		t.Fatal(err)
	}
	err := e.r.Before(context.Background(), resource.Write{Table: "order", Op: resource.OpCreate, Attrs: map[string]any{}})
	if err == nil || !strings.Contains(err.Error(), "exchange user") {
		t.Errorf("err = %v", err)
	}
}

func TestAfterHooksFollowChanges(t *testing.T) {
	e := newHookEnv(t)
	e.exchange("a_rest", HookAfter, `["post"]`, "rest", `{"url":"`+e.url+`/after","headers":{"X-Token":"t"}}`)
	e.exchange("b_act", HookAfter, `["delete"]`, "action", `{"type":"log","action":"note","attributes":{"k":"v"}}`)
	e.start(t)
	sys := auth.WithPrincipal(context.Background(), auth.System())
	wait := func(posts, acts int) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for {
			e.mu.Lock()
			n, a := len(e.posted), len(e.actions)
			e.mu.Unlock()
			if n >= posts && a >= acts {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after hooks: %d posts, %d actions", n, a)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	row, _ := e.res.Create(sys, "order", resource.Input{Attributes: map[string]any{"item": "n"}})
	wait(1, 0)
	_, _ = e.res.Update(sys, "order", row.RefID, resource.Input{Attributes: map[string]any{"item": "m"}})
	_ = e.res.Delete(sys, "order", row.RefID)
	wait(1, 1)
	e.r.Stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.posted) != 1 || e.posted[0]["event"] != "post" || e.posted[0]["id"] != row.RefID || len(e.actions) != 1 || e.actions[0] != "log/note" {
		t.Errorf("posted %v, actions %v", e.posted, e.actions)
	}
}

func TestRESTTargetErrors(t *testing.T) {
	e := newHookEnv(t)
	r := e.r
	for name, tc := range map[string]struct {
		target map[string]any
		want   string
	}{
		"bad url":          {map[string]any{"url": "::"}, "bad target url"},
		"unreachable":      {map[string]any{"url": "http://127.0.0.1:1/x"}, "target unreachable"},
		"refusing target":  {map[string]any{"url": e.url, "headers": map[string]any{"X-Token": "wrong"}}, "target answered 422"},
		"unknown type":     {nil, "unknown target_type"},
		"method from spec": {map[string]any{"url": e.url, "method": "put", "headers": map[string]any{"X-Token": "t"}}, ""},
	} {
		x := exchange{name: name, targetType: "rest", target: tc.target}
		if tc.target == nil {
			x.targetType = "ftp"
		}
		err := r.target(context.Background(), x, resource.Change{Table: "order", Op: resource.OpCreate, RefID: "r1"}, map[string]any{"item": "i"})
		if (tc.want == "" && err != nil) || (tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want))) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

func TestObj(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want int
	}{{map[string]any{"a": 1}, 1}, {`{"a":1,"b":2}`, 2}, {`[1]`, 0}, {"{", 0}, {42, 0}, {nil, 0}} {
		if got := len(obj(tc.in)); got != tc.want {
			t.Errorf("obj(%#v) has %d keys, want %d", tc.in, got, tc.want)
		}
	}
}
