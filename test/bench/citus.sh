#!/usr/bin/env bash
# The Citus case of the benchmark: the same data on one server and on a
# Citus cluster (a coordinator and two workers), fkdoctor's fk_audit and
# fk_orphans on the distributed child against the hand-written distributed
# anti-join (a NOT EXISTS count run on the coordinator, which Citus pushes
# down to the shards) and against the same queries on the one server.
# run.sh --citus sets both up; this runs against the one server in
# PGHOST/PGPORT and the coordinator in CITUS_HOST/CITUS_PORT (superusers).
# Usage:
#   citus.sh [--scale small|default] [--runs N]     (default: default, 3)
# small: a 20k-row child (a smoke run); default: a 5M-row child of a
# 500k-row parent, 5000 orphans (the main benchmark's child).
#
# Timing as in bench.sh (timing.sh), except that each round runs in a
# session of its own on each side, the two sides alternating (which goes
# first swaps each round), so that a round's Citus and one-server times
# are close together and their ratio is taken within the round. Each
# session first calls fkdoctor once, untimed (the library and the catalog
# caches); round 0 is the warm-up.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

source "$here/timing.sh"
bench_options "$@"
case $scale in
    small)   children=20000;   parents=2000;   orphans=20 ;;
    default) children=5000000; parents=500000; orphans=5000 ;;
    *) echo "unknown scale: $scale (small or default)" >&2; exit 2 ;;
esac
: "${CITUS_HOST:?set CITUS_HOST and CITUS_PORT (the coordinator)}" "${CITUS_PORT:?}"

psql_on() {  # plain|citus psql-arguments...
    local side=$1
    shift
    if [ "$side" = citus ]; then
        PGHOST=$CITUS_HOST PGPORT=$CITUS_PORT "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres "$@"
    else
        "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" "$@"
    fi
}
quietly() { psql_on "$1" -c 'SET client_min_messages = warning' "${@:2}" >/dev/null; }

cleanup() {
    [ "${KEEP_DATA:-0}" = 1 ] && return
    for side in plain citus; do
        quietly "$side" -c 'DROP SCHEMA IF EXISTS bench CASCADE' -c 'DROP EXTENSION IF EXISTS fkdoctor' || true
    done
}
trap cleanup EXIT

echo "fkdoctor benchmark, Citus case: scale $scale, $runs timed runs per query after a warm-up, medians in ms"
for side in plain citus; do
    psql_on "$side" -At -c "SELECT '$side: PostgreSQL ' || current_setting('server_version')
        || ', $(nproc) cores, work_mem ' || current_setting('work_mem')
        || ', max_parallel_workers_per_gather ' || current_setting('max_parallel_workers_per_gather')
        || ', shared_buffers ' || current_setting('shared_buffers') || ', ' || now()::date"
done
psql_on citus -At -c "SELECT 'citus: ' || split_part(citus_version(), ' on ', 1) || ', '
    || (SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary') || ' nodes, citus.shard_count '
    || current_setting('citus.shard_count')"

echo "generating data: $children child rows of $parents parents, $orphans orphans, on each side"
for side in plain citus; do
    quietly "$side" -c 'CREATE EXTENSION IF NOT EXISTS fkdoctor'
    quietly "$side" -v children=$children -v parents=$parents -v orphans=$orphans \
        -v citus=$([ "$side" = citus ] && echo on || echo off) -f "$here/citus_setup.sql"
    quietly "$side" -f "$here/measure.sql"
done
echo "the anti-join on the coordinator, as Citus plans it:"
psql_on citus -At -c "EXPLAIN (COSTS OFF) SELECT count(*) FROM bench.child c WHERE c.parent_id IS NOT NULL
    AND NOT EXISTS (SELECT FROM bench.parent p WHERE p.id = c.parent_id)" | sed -n '1,6s/^/    /p'

add_query floor "SELECT count(*) FROM bench.child"
add_query not_exists "SELECT count(*) FROM bench.child c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT FROM bench.parent p WHERE p.id = c.parent_id)"
add_query fk_orphans "SELECT count(*) FROM fk_orphans('bench.child')"
add_query fk_audit "SELECT count(*) FROM fk_audit('bench.child')"

echo "timing ${#labels[@]} queries on each side"
for ((round = 0; round <= runs; round++)); do
    sides=(plain citus)
    ((round % 2 == 0)) || sides=(citus plain)
    for side in "${sides[@]}"; do
        { echo "SELECT count(*) FROM fk_constraints('bench.child');"; timing_script "$runs" "$round"; } |
            psql_on "$side" -o /dev/null | sed "s/^  round/  $side: round/"
    done
done

# The Citus side's times join the one server's, labelled citus_<query>.
psql_on citus -c "\\copy (SELECT 'citus_' || label, round, ms FROM bench.samples) TO STDOUT" |
    psql_on plain -c '\copy bench.samples FROM STDIN'

echo
echo "child: $children rows, $parents parents, $orphans orphans; Citus: coordinator and two workers on 127.0.0.1"
psql_on plain -f "$here/citus_report.sql"
