#!/usr/bin/env bash
# The benchmark itself, against the cluster in PGHOST/PGPORT (run.sh and
# smoke.sh set one up). Usage: bench.sh SCALE RUNS
#   SCALE: small (a smoke test), default, or large (adds the 20M-row child)
# Every query runs RUNS times, interleaved with the others; the medians are
# compared as ratios to the reference measured in the same run.
set -euo pipefail
scale=${1:-default}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
psql_bench() { "${PGBIN:-/usr/lib/postgresql/15/bin}/psql" -X -q -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" "$@"; }

case $scale in
    small)   sizes=(20000);               parents=2000;   orphans=40 ;;
    default) sizes=(5000000);             parents=500000; orphans=5000 ;;
    large)   sizes=(1000000 5000000 20000000); parents=500000; orphans=5000 ;;
    *) echo "unknown scale $scale" >&2; exit 2 ;;
esac

declare -A median

# Milliseconds of one query, timed by psql, with a statement_timeout.
time_query() {
    local timeout=$1 query=$2 output
    output=$(psql_bench -c "SET statement_timeout = '$timeout'" -c '\timing on' -c "$query" 2>&1) ||
        { echo timeout; return; }
    echo "$output" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
}

# Runs each named query RUNS times, round-robin, and keeps the medians.
measure() {
    local -n queries=$1
    local -A samples=()
    for ((run = 0; run < runs; run++)); do
        for name in "${!queries[@]}"; do
            samples[$name]+="$(time_query "${TIMEOUT:-120s}" "${queries[$name]}") "
        done
    done
    for name in "${!queries[@]}"; do
        median[$name]=$(echo "${samples[$name]}" | tr ' ' '\n' | grep -v '^$' | sort -g |
            awk '{v[NR] = $1} END {if (v[1] == "timeout" || NR == 0) print "timeout"; else print v[int((NR + 1) / 2)]}')
    done
}

# The hand-written LEFT JOIN anti-join count of a child's orphans.
anti_join_count() {  # child parent column
    echo "SELECT count(*) FROM bench.$1 c LEFT JOIN bench.$2 p ON p.id = c.$3 WHERE p.id IS NULL AND c.$3 IS NOT NULL"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "timeout" || b == "timeout" || b == 0) print "-"; else printf "%.2f", a / b }'; }

verdict() { awk -v r="$1" -v t="$2" 'BEGIN { if (r == "-") print "-"; else print (r <= t ? "yes" : "NO") }'; }

row() {  # case, query name, reference name, target
    local r
    r=$(ratio "${median[$2]}" "${median[$3]}")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "${median[$2]}" "$r" "${4:-}" "$( [ -n "${4:-}" ] && verdict "$r" "${4#<= }" | sed 's/x$//' || echo)"
}

# Peak memory (VmHWM) a fresh backend adds while running a query, in kB:
# the backend reads its own /proc status before and after.
backend_memory_growth() {
    local peak="(regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\\s+(\\d+)'))[1]::bigint"
    psql_bench -At <<SQL
SELECT $peak AS before \gset
$1 \g /dev/null
SELECT $peak - :before;
SQL
}

echo "fkdoctor benchmark: scale $scale, $runs interleaved runs per query, medians in ms"
echo "PostgreSQL: $(psql_bench -At -c 'SHOW server_version'), $(nproc) cores, default settings"

for children in "${sizes[@]}"; do
    three=$(( children * 2 / 5 )); half=$(( children / 5 ))
    psql_bench -v children=$children -c 'SET client_min_messages = warning'  -v parents=$parents -v orphans=$orphans \
        -v three_key_rows=$three -v half_rows=$half -f "$here/setup.sql" >/dev/null
    psql_bench -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS fkdoctor' \
        -c 'ALTER EXTENSION fkdoctor UPDATE' >/dev/null

    declare -A q=(
        [floor]="SELECT count(*) FROM bench.child"
        [left_join]="$(anti_join_count child parent parent_id)"
        [not_exists]="SELECT count(*) FROM bench.child c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM bench.parent p WHERE p.id = c.parent_id)"
        [fk_orphans]="SELECT count(*) FROM fk_orphans('bench.child')"
        [fk_audit]="SELECT orphan_rows FROM fk_audit('bench.child')"
        [validate]="BEGIN; ALTER TABLE bench.clean_child VALIDATE CONSTRAINT clean_child_parent_fkey; ROLLBACK"
        [fk_audit_3]="SELECT sum(orphan_rows) FROM fk_audit('bench.three_keys')"
        [anti_a]="$(anti_join_count three_keys a a_id)"
        [anti_b]="$(anti_join_count three_keys b b_id)"
        [anti_c]="$(anti_join_count three_keys c c_id)"
        [fk_orphans_half]="SELECT sum(length(child_key::text) + length(missing_key::text)) FROM fk_orphans('bench.half')"
        [jsonb_half]="SELECT sum(length(to_jsonb(h)::text)) FROM bench.half h LEFT JOIN bench.parent p ON p.id = h.parent_id WHERE p.id IS NULL AND h.parent_id IS NOT NULL"
    )
    measure q
    TIMEOUT=${NOT_IN_TIMEOUT:-60s}
    declare -A slow=([not_in]="SELECT count(*) FROM bench.child WHERE parent_id NOT IN (SELECT id FROM bench.parent)")
    runs_saved=$runs; runs=1; measure slow; runs=$runs_saved
    unset TIMEOUT
    best=$(printf '%s\n' "${median[left_join]}" "${median[not_exists]}" | sort -g | head -1)
    median[best_anti_join]=$best
    median[sum_of_three]=$(awk -v a="${median[anti_a]}" -v b="${median[anti_b]}" -v c="${median[anti_c]}" 'BEGIN {print a + b + c}')

    echo
    echo "### $children child rows, $parents parents, $orphans orphans"
    echo
    echo "| case | query | median ms | ratio | target | met |"
    echo "|---|---|---|---|---|---|"
    row "main child" fk_orphans best_anti_join "<= 1.2"
    row "main child" fk_audit best_anti_join "<= 1.2"
    row "main child" validate best_anti_join
    row "main child" not_in best_anti_join
    row "main child" left_join best_anti_join
    row "main child" not_exists best_anti_join
    row "main child" floor best_anti_join
    row "three keys" fk_audit_3 sum_of_three "<= 0.8"
    row "half orphans" fk_orphans_half jsonb_half "<= 2"
    median[per_row_$children]=$(awk -v t="${median[fk_orphans]}" -v n="$children" 'BEGIN {printf "%.6f", t / n}')

    small_growth=$(backend_memory_growth "SELECT sum(length(missing_key::text)) FROM fk_orphans('bench.tenth')")
    large_growth=$(backend_memory_growth "SELECT sum(length(missing_key::text)) FROM fk_orphans('bench.half')")
    echo
    echo "| fk_orphans() memory | orphans | backend peak growth (kB) |"
    echo "|---|---|---|"
    echo "| bench.tenth | $(( half / 20 )) | $small_growth |"
    echo "| bench.half | $(( half / 2 )) | $large_growth |"
done

if [ ${#sizes[@]} -gt 1 ]; then
    echo
    echo "| child rows | fk_orphans ms per million rows |"
    echo "|---|---|"
    for children in "${sizes[@]}"; do
        awk -v p="${median[per_row_$children]}" -v n="$children" 'BEGIN {printf "| %d | %.1f |\n", n, p * 1000000}'
    done
fi
psql_bench -c 'DROP SCHEMA bench CASCADE' >/dev/null 2>&1
