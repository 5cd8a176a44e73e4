#!/usr/bin/env bash
# The benchmark at a tiny scale, one run of each query, against the cluster
# in PGHOST/PGPORT (the test runner's): it proves that every part of the
# benchmark runs. No timing is judged.
set -euo pipefail
output=$(bash "$(dirname "$0")/bench.sh" --scale small --runs 1)
echo "$output"
# Every query of the times table has a time (a timeout, or "not available"
# for fk_audit in an extension without it)...
echo "$output" | awk -F'|' '
    /^\| (main child|three keys|text key|half orphans)/ {
        rows++
        if ($4 !~ /[0-9]|not available/) { print "no time for" $3; bad = 1 }
    }
    END { if (rows < 22) print "only " rows " timed rows"; exit (bad || rows < 22) }'
# ...and every call of the memory table has a peak.
echo "$output" | awk -F'|' '
    /^\| `fk_|^\| reference/ { rows++; if ($4 !~ /[0-9]/) bad = 1 }
    END { exit (bad || rows < 5) }'
