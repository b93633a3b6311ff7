package main

import "testing"

func TestTuneGC(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1], true
				}
			}
			return "", false
		}
	}
	tests := []struct {
		name    string
		env     func(string) (string, bool)
		cacheMB int
		want    gcTuning
	}{
		{"defaults", env(), 32, gcTuning{percent: 400, limit: 320 << 20}},
		{"cache off", env(), 0, gcTuning{percent: 400, limit: 256 << 20}},
		{"large cache", env(), 1024, gcTuning{percent: 400, limit: (256 + 2048) << 20}},
		{"GOGC set", env("GOGC", "100"), 32, gcTuning{limit: 320 << 20}},
		{"GOGC off", env("GOGC", "off"), 32, gcTuning{limit: 320 << 20}},
		{"GOMEMLIMIT set", env("GOMEMLIMIT", "1GiB"), 32, gcTuning{percent: 400}},
		{"both set", env("GOGC", "50", "GOMEMLIMIT", "1GiB"), 32, gcTuning{}},
	}
	for _, tc := range tests {
		if got := tuneGC(tc.env, tc.cacheMB); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
