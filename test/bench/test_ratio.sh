#!/bin/sh
# Test lines per source line: for every Go package outside test/, its
# source lines (non-_test.go), unit-test lines (_test.go) and their ratio;
# then the totals, with and without the end-to-end tests under test/.
# Counts the files git tracks. Usage: test/bench/test_ratio.sh [repo-dir]
cd "${1:-.}" || exit 1
git ls-files '*.go' | awk '
  function lines(f,   n, l) { n = 0; while ((getline l < f) > 0) n++; close(f); return n }
  /^test\// { e2e += lines($0); next }
  { d = $0; sub(/\/[^\/]*$/, "", d); if (d == $0) d = "."
    if ($0 ~ /_test\.go$/) t[d] += lines($0); else s[d] += lines($0) }
  END {
    for (d in s) { S += s[d]; T += t[d]; printf "%s %d %d %.2f\n", d, s[d], t[d], t[d] / s[d] }
    printf "TOTAL-unit %d %d %.2f\n", S, T, T / S
    printf "TOTAL-with-e2e %d %d %.2f\n", S, T + e2e, (T + e2e) / S
  }' | sort
