package databite

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/apiary/apiary/integrations/connector"
)

func TestCredentialFields(t *testing.T) {
	for _, tc := range []struct {
		authType, schemes string
		want              []string
	}{
		{connector.AuthNone, "{}", []string{"accessToken"}},
		{connector.AuthOAuth2, "{}", []string{"accessToken"}},
		{"", `B: {type: http, scheme: basic}`, []string{"username", "password"}},
		{"", `K: {type: apiKey, in: header, name: X-Key}`, []string{"api_key"}},
	} {
		spec := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"components":{"securitySchemes":` + yamlToJSON(tc.schemes) +
			`},"paths":{"/a":{"get":{"operationId":"a","responses":{"200":{"description":"ok"}}}}}}`
		p, err := connector.NewProvider(context.Background(), "p", "r", tc.authType, []byte(spec), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.schemes, err)
		}
		if got := credentialFields(p); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s: %v, want %v", tc.authType, tc.schemes, got, tc.want)
		}
	}
}

// yamlToJSON turns the one-line scheme maps of the table into JSON.
func yamlToJSON(s string) string {
	switch s {
	case `B: {type: http, scheme: basic}`:
		return `{"B":{"type":"http","scheme":"basic"}}`
	case `K: {type: apiKey, in: header, name: X-Key}`:
		return `{"K":{"type":"apiKey","in":"header","name":"X-Key"}}`
	}
	return s
}

func TestViewIntegrationEnabled(t *testing.T) {
	e := newRouteEnv(t, Limits{})
	for _, tc := range []struct {
		enable any
		want   bool
	}{{true, true}, {int64(1), true}, {float64(1), true}, {"1", true}, {false, false}, {int64(0), false}, {nil, false}, {"yes", false}} {
		code, v := e.do("GET", "/api/integrations/"+e.res.Put("integration", "", map[string]any{"name": fmt.Sprint("x", tc.enable), "enable": tc.enable}), "", "u1")
		if code != 200 || field(v, "enabled") != tc.want || field(v, "installed") != false {
			t.Errorf("enable %#v: %d %v", tc.enable, code, v)
		}
	}
	if rows := e.res.Rows("integration"); len(rows) != 9 {
		t.Errorf("rows: %d", len(rows))
	}
}
