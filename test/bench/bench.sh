#!/usr/bin/env bash
# The benchmark itself, against the cluster in PGHOST/PGPORT/PGUSER/
# PGDATABASE (a superuser: it reads its backend's /proc status). run.sh and
# smoke.sh set one up. Usage:
#   bench.sh [--scale small|default|large] [--runs N]     (default: default, 3)
# small is the smoke test's size; large adds children of 1M, 5M and 20M rows
# to show how time grows with size.
#
# Each query is timed in the server (clock_timestamp() around EXECUTE, so no
# client transfer), in one session, RUNS times after one warm-up round, the
# queries interleaved and their order rotated each round; medians are
# compared as ratios to the reference measured in the same run. Peak memory
# is measured per call in a fresh backend. Environment: NOT_IN_TIMEOUT
# (default 60s), KEEP_DATA=1 keeps schema bench, SPARSE_PARENTS=N adds the
# sparse parent of N keys at any scale (large: 20M).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

source "$here/timing.sh"
bench_options "$@"

growth_sizes=()
sparse_parents=0
case $scale in
    small)   children=20000;   parents=2000;   orphans=20;   three_key_rows=8000;    half_rows=4000 ;;
    default) children=5000000; parents=500000; orphans=5000; three_key_rows=2000000; half_rows=1000000 ;;
    large)   children=5000000; parents=500000; orphans=5000; three_key_rows=2000000; half_rows=1000000
             growth_sizes=(1000000 5000000 20000000); sparse_parents=20000000 ;;
    *) echo "unknown scale: $scale (small, default or large)" >&2; exit 2 ;;
esac
sparse_parents=${SPARSE_PARENTS:-$sparse_parents}
not_in_timeout=${NOT_IN_TIMEOUT:-60s}

psql_bench() {
    "${PGBIN:-/usr/lib/postgresql/15/bin}/psql" -X -q -v ON_ERROR_STOP=1 \
        -d "${PGDATABASE:-postgres}" "$@"
}
quietly() { psql_bench -c 'SET client_min_messages = warning' "$@" >/dev/null; }

# --- data -----------------------------------------------------------------

echo "fkdoctor benchmark: scale $scale, $runs timed runs per query after a warm-up, medians in ms"
psql_bench -At -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', $(nproc) cores, '
    || 'work_mem ' || current_setting('work_mem')
    || ', maintenance_work_mem ' || current_setting('maintenance_work_mem')
    || ', max_parallel_workers_per_gather ' || current_setting('max_parallel_workers_per_gather')
    || ', shared_buffers ' || current_setting('shared_buffers') || ', ' || now()::date"

created_extension=$(psql_bench -At -c "SELECT NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'fkdoctor')")
cleanup() {
    [ "${KEEP_DATA:-0}" = 1 ] || quietly -c 'DROP SCHEMA IF EXISTS bench CASCADE'
    [ "$created_extension" = f ] || quietly -c 'DROP EXTENSION IF EXISTS fkdoctor'
}
trap cleanup EXIT
quietly -c 'CREATE EXTENSION IF NOT EXISTS fkdoctor' -c 'ALTER EXTENSION fkdoctor UPDATE'

echo "generating data: $children child rows of $parents parents, $three_key_rows rows with three keys," \
     "$half_rows rows half orphans, $((5 * half_rows)) rows one in ten an orphan"
quietly -v children=$children -v parents=$parents -v orphans=$orphans \
    -v three_key_rows=$three_key_rows -v half_rows=$half_rows -v sparse_parents=$sparse_parents \
    -f "$here/setup.sql"
for rows in "${growth_sizes[@]}"; do
    echo "generating data: $rows child rows for the growth series"
    quietly -v rows=$rows -v parents=$parents -f "$here/growth.sql"
done
quietly -f "$here/measure.sql"

has_audit=$(psql_bench -At -c "SELECT to_regprocedure('fk_audit(regclass)') IS NOT NULL")
[ "$has_audit" = t ] || echo "fk_audit is not in the installed extension: its rows say 'not available'"

# --- the queries ----------------------------------------------------------

# The hand-written anti-join a user would write.
anti_join() {  # child column parent [select-list]
    echo "SELECT ${4:-count(*)} FROM bench.$1 c LEFT JOIN bench.$3 p ON p.id = c.$2 WHERE p.id IS NULL AND c.$2 IS NOT NULL"
}

add_query floor "SELECT count(*) FROM bench.child"
add_query left_join "$(anti_join child parent_id parent)"
add_query not_exists "SELECT count(*) FROM bench.child c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM bench.parent p WHERE p.id = c.parent_id)"
add_query validate "ALTER TABLE bench.clean_child VALIDATE CONSTRAINT clean_child_parent_fkey" "true, true"
add_query not_in "SELECT count(*) FROM bench.child WHERE parent_id NOT IN (SELECT id FROM bench.parent)" "true, false"
add_query fk_orphans "SELECT count(*) FROM fk_orphans('bench.child')"
add_query anti_a "$(anti_join three_keys a_id a)"
add_query anti_b "$(anti_join three_keys b_id b)"
add_query anti_c "$(anti_join three_keys c_id c)"
add_query floor_3 "SELECT count(*) FROM bench.three_keys"
add_query fk_orphans_half "SELECT count(*) FROM fk_orphans('bench.half')"
# The orphan rows as jsonb, returned by the join (OFFSET 0 keeps the count
# from being pushed into the workers: the rows reach the top, as they would
# for a client).
add_query jsonb_half "SELECT count(j) FROM ($(anti_join half parent_id parent 'to_jsonb(c) AS j') OFFSET 0) s"
add_query floor_half "SELECT count(*) FROM bench.half"
# The text key: the same work with codes for keys.
add_query floor_text "SELECT count(*) FROM bench.text_child"
add_query text_left_join "$(anti_join text_child parent_id codes)"
add_query text_not_exists "SELECT count(*) FROM bench.text_child c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM bench.codes p WHERE p.id = c.parent_id)"
add_query fk_orphans_text "SELECT count(*) FROM fk_orphans('bench.text_child')"
# What reading the keys costs, child and parents, with no lookup at all:
# the least any check of them costs (count(*) reads no column).
add_query keys_child "SELECT count(parent_id) FROM bench.child"
add_query keys_parent "SELECT count(id) FROM bench.parent"
add_query keys_3 "SELECT count(a_id), count(b_id), count(c_id) FROM bench.three_keys"
add_query keys_a "SELECT count(id) FROM bench.a"
add_query keys_b "SELECT count(id) FROM bench.b"
add_query keys_c "SELECT count(id) FROM bench.c"
add_query keys_text "SELECT count(parent_id) FROM bench.text_child"
add_query keys_codes "SELECT count(id) FROM bench.codes"
if [ "$has_audit" = t ]; then
    add_query fk_audit "SELECT count(*) FROM fk_audit('bench.child')"
    add_query fk_audit_3 "SELECT count(*) FROM fk_audit('bench.three_keys')"
    add_query fk_audit_text "SELECT count(*) FROM fk_audit('bench.text_child')"
fi
# The parent that does not fit in memory (large scale).
if [ "$sparse_parents" -gt 0 ]; then
    add_query floor_sparse "SELECT count(*) FROM bench.sparse_child"
    add_query sparse_not_exists "SELECT count(*) FROM bench.sparse_child c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM bench.sparse_parent p WHERE p.id = c.parent_id)"
    add_query fk_orphans_sparse "SELECT count(*) FROM fk_orphans('bench.sparse_child')"
    [ "$has_audit" != t ] || add_query fk_audit_sparse "SELECT count(*) FROM fk_audit('bench.sparse_child')"
fi
for rows in "${growth_sizes[@]}"; do
    add_query growth_fk_$rows "SELECT count(*) FROM fk_orphans('bench.growth_$rows')"
    add_query growth_anti_$rows "$(anti_join growth_$rows parent_id parent)"
done

# --- times: one session, rounds of every query, order rotated each round --

script=$(mktemp)
trap 'rm -f "$script"; cleanup' EXIT
timing_script "$runs" > "$script"
echo "timing ${#labels[@]} queries"
psql_bench -o /dev/null -f "$script"

# --- memory: each call in a fresh backend, peak growth over its baseline --

measure_memory() {  # n label orphans sql [setting]
    psql_bench -v n="$1" -v label="$2" -v orphans="$3" <<SQL
SET search_path = public, bench;
${5:-}
SELECT count(*) FROM fk_constraints('bench.parent') \g /dev/null
SELECT bench.status_kb('VmHWM') \g /dev/null
SELECT bench.reset_peak(), bench.status_kb('VmHWM') AS peak_before,
       bench.status_kb('RssShmem') AS shared_before \gset
$4 \g /dev/null
INSERT INTO bench.memory VALUES (:n, :'label', :orphans,
    bench.status_kb('VmHWM') - :peak_before, bench.status_kb('RssShmem') - :shared_before);
SQL
}
echo "measuring peak memory, one fresh backend per call"
measure_memory 1 "\`fk_orphans('child')\`" $orphans "${query[fk_orphans]}"
if [ "$has_audit" = t ]; then
    measure_memory 2 "\`fk_audit('child')\`" $orphans "${query[fk_audit]}"
    measure_memory 3 "\`fk_audit('three_keys')\`" $((three_key_rows / 1000)) "${query[fk_audit_3]}"
fi
# fk_orphans() reads a key of plain values in memory, unless
# fkdoctor.check_in_memory is off or a quarter of the rows are orphans
# (half, at the default scale): each way is measured at 50k and 500k orphans.
few="SELECT count(*) FROM fk_orphans('bench.few')"
measure_memory 4 "\`fk_orphans('few')\`, in memory" $((half_rows / 20)) "$few"
measure_memory 5 "\`fk_orphans('many')\`, in memory" $((half_rows / 2)) \
    "SELECT count(*) FROM fk_orphans('bench.many')"
measure_memory 6 "\`fk_orphans('few')\`, anti-join (\`check_in_memory\` off)" $((half_rows / 20)) \
    "$few" "SET fkdoctor.check_in_memory = off;"
measure_memory 7 "\`fk_orphans('half')\`" $((half_rows / 2)) \
    "${query[fk_orphans_half]}"
measure_memory 8 "reference: anti-join \`count(*)\` on child" $orphans "${query[left_join]}"
measure_memory 9 "reference: \`to_jsonb()\` anti-join on half" $((half_rows / 2)) "${query[jsonb_half]}"

# --- report ---------------------------------------------------------------

echo
echo "main child: $children rows, $parents parents, $orphans orphans; three keys: $three_key_rows rows;" \
     "half orphans: $half_rows rows ($((half_rows / 2)) orphans; few: $((half_rows / 20));" \
     "many: $((5 * half_rows)) rows, $((half_rows / 2)) orphans)"
psql_bench -v not_in_timeout="$not_in_timeout" -f "$here/report.sql"
