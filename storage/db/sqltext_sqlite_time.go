package db

import "time"

// sqliteStoredTime reads the text the SQLite driver stores for a time
// (its "sqlite" format, "2006-01-02 15:04:05.999999999-07:00") without
// time.Parse, as the UTC time the driver would return for it. ok is false
// for every other form, including out-of-range fields: the caller then
// lets the driver parse.
func sqliteStoredTime(s string) (time.Time, bool) {
	n := len(s)
	if n < 25 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' || s[n-3] != ':' {
		return time.Time{}, false
	}
	y, ok1 := fixedDigits(s, 0, 4)
	mo, ok2 := fixedDigits(s, 5, 2)
	d, ok3 := fixedDigits(s, 8, 2)
	h, ok4 := fixedDigits(s, 11, 2)
	mi, ok5 := fixedDigits(s, 14, 2)
	sec, ok6 := fixedDigits(s, 17, 2)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || mo < 1 || mo > 12 || d < 1 ||
		d > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec, i := 0, 19
	if s[i] == '.' {
		digits := 0
		for i++; i < n && s[i] >= '0' && s[i] <= '9'; i++ {
			nsec = nsec*10 + int(s[i]-'0')
			digits++
		}
		if digits == 0 || digits > 9 {
			return time.Time{}, false
		}
		for ; digits < 9; digits++ {
			nsec *= 10
		}
	}
	// The zone offset: ±hh:mm, the last six bytes.
	if i != n-6 || (s[i] != '+' && s[i] != '-') {
		return time.Time{}, false
	}
	oh, ok1 := fixedDigits(s, n-5, 2)
	om, ok2 := fixedDigits(s, n-2, 2)
	if !ok1 || !ok2 || oh > 23 || om > 59 {
		return time.Time{}, false
	}
	off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
	if s[i] == '+' {
		off = -off
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, nsec, time.UTC).Add(off), true
}

// fixedDigits reads the n ASCII digits at s[i:i+n].
func fixedDigits(s string, i, n int) (int, bool) {
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
