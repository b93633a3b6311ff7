#!/usr/bin/env bash
# Cluster measurements (docs/benchmarks.md, "Issue 17"): list, get and write
# throughput of one node and of three nodes on PostgreSQL, cross-node /live
# event latency and the invalidation round trip. APIARY_BENCH_SECONDS (3)
# is the length of each throughput run.
set -euo pipefail
cd "$(dirname "$0")/../.."
APIARY_BENCH_CLUSTER=1 APIARY_TEST_DB="${APIARY_TEST_DB:-postgres}" \
	APIARY_TEST_POSTGRES="${APIARY_TEST_POSTGRES:-host=127.0.0.1 user=postgres dbname=test sslmode=disable}" \
	go test -count=1 -timeout 20m -v -run 'TestClusterBenchmark' ./test/cluster | grep -E 'bench_test|^(ok|FAIL|---)'
