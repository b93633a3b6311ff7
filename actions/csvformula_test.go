package actions

import "testing"

func TestFormulaNeutralisation(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, out string }{
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"+cmd", "'+cmd"},
		{"-1+2", "'-1+2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"'=x", "''=x"},
		{"''@x", "'''@x"},
		{"-5", "-5"},
		{"+1.5", "+1.5"},
		{"'-5", "'-5"},
		{"'abc", "'abc"},
		{"plain", "plain"},
		{"", ""},
		{"'", "'"},
		{"a=b", "a=b"},
	}
	for _, tc := range tests {
		if got := neutraliseCell(tc.in); got != tc.out {
			t.Errorf("neutraliseCell(%q) = %q, want %q", tc.in, got, tc.out)
		}
		if back := restoreCell(neutraliseCell(tc.in)); back != tc.in {
			t.Errorf("restoreCell(neutraliseCell(%q)) = %q", tc.in, back)
		}
	}
}
