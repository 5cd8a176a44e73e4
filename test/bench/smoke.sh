#!/usr/bin/env bash
# The benchmark at a tiny scale, once, against the cluster the test runner
# started (PGHOST/PGPORT): it proves the benchmark runs; no timing is judged.
set -euo pipefail
output=$(bash "$(dirname "$0")/bench.sh" small 1)
echo "$output"
# Every query produced a time, and the memory table is there.
echo "$output" | awk -F'|' '/^\| (main child|three keys|half orphans) / { rows++; if ($4 !~ /[0-9]/) bad = 1 }
                            END { exit (bad || rows < 9) }'
echo "$output" | grep -q 'backend peak growth'
