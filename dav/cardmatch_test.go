package dav

import (
	"strings"
	"testing"
)

func TestCardFilter(t *testing.T) {
	card, _, derr := parseVCard([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a\r\nFN:Ann Lee\r\nEMAIL:ann@home.test\r\nEMAIL:Ann.Lee@Work.test\r\nTEL:+1 555\r\nEND:VCARD\r\n"))
	if derr != nil {
		t.Fatal(derr)
	}
	pf := func(attrs, inner string) string {
		return `<cr:prop-filter ` + attrs + `>` + inner + `</cr:prop-filter>`
	}
	tm := func(attrs, text string) string { return `<cr:text-match ` + attrs + `>` + text + `</cr:text-match>` }
	cases := []struct {
		name, test, props string
		want              bool
		status            int
	}{
		{"no filter", "", "", true, 0},
		{"FN contains, any case", "", pf(`name="FN"`, tm(``, "ann")), true, 0},
		{"second email", "", pf(`name="EMAIL"`, tm(`match-type="ends-with"`, "work.test")), true, 0},
		{"octet is case sensitive", "", pf(`name="EMAIL"`, tm(`match-type="ends-with" collation="i;octet"`, "work.test")), false, 0},
		{"octet exact case", "", pf(`name="EMAIL"`, tm(`match-type="ends-with" collation="i;octet"`, "Work.test")), true, 0},
		{"equals", "", pf(`name="email"`, tm(`match-type="equals"`, "ANN@HOME.TEST")), true, 0},
		{"equals is whole", "", pf(`name="EMAIL"`, tm(`match-type="equals"`, "ann@home")), false, 0},
		{"starts-with", "", pf(`name="TEL"`, tm(`match-type="starts-with"`, "+1")), true, 0},
		{"negated, some value lacks it", "", pf(`name="EMAIL"`, tm(`negate-condition="yes"`, "home")), true, 0},
		{"negated, every value has it", "", pf(`name="EMAIL"`, tm(`negate-condition="yes"`, ".test")), false, 0},
		{"defined", "", pf(`name="TEL"`, ""), true, 0},
		{"not defined", "", pf(`name="NICKNAME"`, `<cr:is-not-defined/>`), true, 0},
		{"defined but asked undefined", "", pf(`name="TEL"`, `<cr:is-not-defined/>`), false, 0},
		{"missing property", "", pf(`name="NICKNAME"`, tm(``, "x")), false, 0},
		{"prop allof", "", pf(`name="EMAIL" test="allof"`, tm(``, "home")+tm(``, "work")), true, 0},
		{"prop allof fails", "", pf(`name="EMAIL" test="allof"`, tm(``, "home")+tm(``, "school")), false, 0},
		{"prop anyof", "", pf(`name="EMAIL"`, tm(``, "school")+tm(``, "work")), true, 0},
		{"filter anyof", "anyof", pf(`name="FN"`, tm(``, "bob")) + pf(`name="EMAIL"`, tm(``, "home")), true, 0},
		{"filter allof", "allof", pf(`name="FN"`, tm(``, "bob")) + pf(`name="EMAIL"`, tm(``, "home")), false, 0},
		{"filter allof holds", "allof", pf(`name="FN"`, tm(``, "lee")) + pf(`name="EMAIL"`, tm(``, "home")), true, 0},
		{"bad test", "sometimes", pf(`name="FN"`, ""), false, 400},
		{"bad prop test", "", pf(`name="FN" test="most"`, ""), false, 400},
		{"bad match-type", "", pf(`name="FN"`, tm(`match-type="regex"`, "a")), false, 400},
		{"no name", "", pf(``, ""), false, 400},
	}
	for _, tc := range cases {
		attr := ""
		if tc.test != "" {
			attr = ` test="` + tc.test + `"`
		}
		var f *node
		if tc.name != "no filter" {
			f = mustXML(t, `<cr:filter xmlns:cr="urn:ietf:params:xml:ns:carddav"`+attr+`>`+tc.props+`</cr:filter>`)
		}
		cf, derr := parseCardFilter(f)
		if tc.status != 0 {
			if derr == nil || derr.status != tc.status || !strings.HasPrefix(derr.msg, "addressbook-query") {
				t.Errorf("%s: err %v, want %d", tc.name, derr, tc.status)
			}
			continue
		}
		if derr != nil {
			t.Errorf("%s: %v", tc.name, derr)
			continue
		}
		if got := cf.match(card); got != tc.want {
			t.Errorf("%s: match = %v, want %v", tc.name, got, tc.want)
		}
	}
}
