package jsonapi

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
)

// TestRequestQuery: no query reads as an empty set of values and parses
// to the same query as an empty map.
func TestRequestQuery(t *testing.T) {
	for target, want := range map[string]int{"/api/todo/x": 0, "/api/todo/x?": 0, "/api/todo/x?include=a&fields=b": 2} {
		v := requestQuery(httptest.NewRequest(http.MethodGet, target, nil))
		if len(v) != want {
			t.Errorf("%s: %d values, want %d", target, len(v), want)
		}
	}
	a, errA := parseQuery(nil)
	b, errB := parseQuery(url.Values{})
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("parseQuery(nil) = %+v, %v; of an empty map %+v, %v", a, errA, b, errB)
	}
}
