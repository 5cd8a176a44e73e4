#!/usr/bin/env bash
# The README's second command: every test suite, on each PostgreSQL in turn
# (Debian's 15, and 18.3 built from vendor/ as a release and with
# --enable-cassert), each on a throwaway cluster of its own. Run as root on
# Debian 12: it installs what it needs, and builds 18.3 once (cached under
# /var/cache/fkdoctor). Usage:
#   test/run-tests.sh [--pg 15|18|18-cassert|all] [unit|regress|tap|memcheck|bench ...]
# Defaults: --pg all, every suite. The unit tests do not depend on the server:
# they run once, on the first PostgreSQL. Under --pg all, memcheck runs on 15
# only and bench on 15 and 18 (SUITES_WHEN_ALL below); --pg with one version
# runs every suite named there.
# Each suite is one make target (unitcheck, installcheck, tapcheck), so that
# it runs the same way by hand. Prints a line per PostgreSQL, then ends with
# the line "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

ALL_VERSIONS=(15 18 18-cassert)
ALL_SUITES=(unit regress tap memcheck bench)
# What each PostgreSQL runs when several are tested (--pg all): memcheck
# (about 15 minutes on 2 cores) on 15 only; the benchmark's smoke run on 15
# and 18; 18 with assertions runs what exercises the server most for the time
# it takes. --pg with one version runs every suite named there.
declare -A SUITES_WHEN_ALL=(
    [15]="unit regress tap memcheck bench"
    [18]="unit regress tap bench"
    [18-cassert]="unit regress tap"
)
PASSED=0
FAILED=0

count() {  # suite passed failed
    echo "-- $PG_LABEL $1: $2 passed, $3 failed"
    PASSED=$((PASSED + $2))
    FAILED=$((FAILED + $3))
}

# Suites run in a "||" list, where set -e does not apply: every step that
# can fail is checked by hand, and a failure that counted no test counts one.
count_run() {  # suite status passed failed
    local failed=$4
    [ "$2" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
    count "$1" "$3" "$failed"
}

have_files() { compgen -G "$1" >/dev/null; }

# make in the build directory, as postgres (pg_regress and the TAP tests
# write next to the tests, and initdb refuses root), against our cluster and
# the private installation holding this build.
make_as_postgres() {  # target [make arguments]
    (cd "$BUILD_DIR" && as_postgres env PATH="$PATH" PGHOST="$PGHOST" PGPORT="$PGPORT" \
        PGUSER=postgres make -s PG_CONFIG="$TEST_PG_CONFIG" "$@")
}

# GoogleTest: the closing "[  PASSED  ] 36 tests.", and one "[  FAILED  ] Suite.Name
# (2 ms)" per failed test (the closing list repeats the names without a time).
gtest_passed() { echo "$1" | sed -nE 's/^\[  PASSED  \] ([0-9]+) tests?\./\1/p' | grep . || echo 0; }
gtest_failed() { echo "$1" | grep -cE '^\[  FAILED  \] .* \([0-9]+ ms\)$' || true; }

suite_unit() {
    log "C++ unit tests (GoogleTest: make unitcheck)"
    have_files "$REPO/test/unit/*.cpp" || { echo "no test/unit/*.cpp yet"; count unit 0 0; return; }
    local output status=0
    output=$(make -s -C "$BUILD_DIR" unitcheck PG_CONFIG="$PG_CONFIG" 2>&1) || status=$?
    echo "$output"
    [ $status -eq 0 ] || echo "make unitcheck exited with status $status"
    count_run unit $status "$(gtest_passed "$output")" "$(gtest_failed "$output")"
}

# pg_regress up to 15: "test name ... ok 12 ms" or "... FAILED"; from 16:
# "ok 3         - name   12 ms" or "not ok 3 ...", with + for a parallel group.
suite_regress() {
    log "SQL regression tests (pg_regress: make installcheck)"
    have_files "$REPO/sql/*.sql" || { echo "no sql/*.sql yet"; count regress 0 0; return; }
    local output status=0
    output=$(make_as_postgres installcheck 2>&1) ||
        status=$?
    if [ $status -eq 0 ]; then
        echo "$output" | grep -E '^(test | All|# All| [0-9]+ of|ok |not ok )' || true
    else
        echo "$output"
        cat "$BUILD_DIR/regression.diffs" 2>/dev/null || true
    fi
    count_run regress $status \
        "$(echo "$output" | grep -cE '^test .* \.\.\. ok|^ok [0-9]+ +[-+] ' || true)" \
        "$(echo "$output" | grep -cE '^test .* \.\.\. FAILED|^not ok [0-9]+ +[-+] ' || true)"
}

# prove: "Failed 2/3 subtests" per failing file (planned tests never run count too).
prove_failed() { echo "$1" | sed -nE 's/^Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' | awk '{ n += $1 } END { print n + 0 }'; }

suite_tap() {
    log "TAP tests (prove, PostgreSQL::Test::Cluster: make tapcheck)"
    have_files "$REPO/test/t/*.pl" || { echo "no test/t/*.pl yet"; count tap 0 0; return; }
    local output status=0 skipped
    # Citus for t/070_citus.pl and t/071, which skip without it: built once and cached
    # (test/lib/build-citus.sh; PostgreSQL 15 to 17). FKDOCTOR_CITUS=0 skips it.
    [ "${FKDOCTOR_CITUS:-1}" = 0 ] || bash "$REPO/test/lib/build-citus.sh" "$PG_CONFIG" "$TEST_PG_CONFIG" ||
        echo "Citus is not installed for $TEST_PG_CONFIG: the Citus tests (t/070, t/071) will skip"
    output=$(make_as_postgres tapcheck PROVE_FLAGS=-v 2>&1) || status=$?
    echo "$output"
    [ $status -eq 0 ] ||
        find "$BUILD_DIR/tmp_check/log" -name 'regress_log_*' -exec tail -n 40 {} + 2>/dev/null || true
    # A file that skips all its tests is neither a pass nor a failure: say so.
    skipped=$(echo "$output" | sed -nE 's/^(.*\.pl) \.+ skipped: (.*)/\1: \2/p')
    [ -z "$skipped" ] || echo "-- $PG_LABEL tap: skipped ${skipped//$'\n'/; }"
    count_run tap $status "$(echo "$output" | grep -cE '^ok [0-9]' || true)" \
                          "$(prove_failed "$output")"
}

suite_memcheck() {
    log "memory check (the regression suite on a server under valgrind)"
    if bash "$REPO/test/memcheck.sh" "$BUILD_DIR"; then count memcheck 1 0; else count memcheck 0 1; fi
}

suite_bench() {
    [ -x "$REPO/test/bench/smoke.sh" ] || return 0
    log "benchmark smoke run (small scale, no timing assertions)"
    if "$REPO/test/bench/smoke.sh"; then count bench 1 0; else count bench 0 1; fi
}

# One PostgreSQL: its build of fkdoctor, its cluster, the suites. Runs in a
# subshell (its own traps and cleanup); appends "label passed failed
# seconds" to $RESULTS.
run_version() {  # version suite...
    local version=$1 started=$SECONDS suite
    shift
    PG_LABEL=$version
    log "PostgreSQL $version: ${*}"
    if use_pg "$version" && build_and_install && start_cluster; then
        log "$("$PG_CONFIG" --version), from $PG_CONFIG"
        for suite in "$@"; do
            "suite_$suite" || count "$suite" 0 1
        done
    else
        echo "PostgreSQL $version: setting up (build, install or cluster) failed"
        count setup 0 1
    fi
    cleanup
    echo "$version $PASSED $FAILED $((SECONDS - started))" >> "$RESULTS"
}

duration() { printf '%dm %02ds' $(($1 / 60)) $(($1 % 60)); }

main() {
    local pg=all suites=() versions=() version suite unit_done=0 run=()
    while [ $# -gt 0 ]; do
        case $1 in
            --pg) [ $# -ge 2 ] || { echo "--pg needs 15, 18, 18-cassert or all" >&2; exit 2; }
                  pg=$2; shift 2 ;;
            --pg=*) pg=${1#--pg=}; shift ;;
            *) suites+=("$1"); shift ;;
        esac
    done
    case $pg in
        all) versions=("${ALL_VERSIONS[@]}") ;;
        15|18|18-cassert) versions=("$pg") ;;
        *) echo "unknown --pg '$pg': 15, 18, 18-cassert or all" >&2; exit 2 ;;
    esac
    local explicit=${#suites[@]}
    [ "$explicit" -gt 0 ] || suites=("${ALL_SUITES[@]}")
    for suite in "${suites[@]}"; do
        declare -F "suite_$suite" >/dev/null ||
            { echo "unknown suite '$suite': unit, regress, tap, memcheck or bench" >&2; exit 2; }
    done
    install_packages
    RESULTS=$(mktemp)
    trap 'rm -f "$RESULTS"' EXIT
    for version in "${versions[@]}"; do
        run=()
        for suite in "${suites[@]}"; do
            if [ "$suite" = unit ]; then
                [ $unit_done -eq 0 ] || continue
                unit_done=1
            fi
            if [ ${#versions[@]} -gt 1 ] && [[ " ${SUITES_WHEN_ALL[$version]} " != *" $suite "* ]]; then
                continue
            fi
            run+=("$suite")
        done
        [ ${#run[@]} -gt 0 ] || continue
        (run_version "$version" "${run[@]}") || echo "$version 0 1 0" >> "$RESULTS"
    done
    echo
    local label passed failed seconds total_seconds=0
    while read -r label passed failed seconds; do
        echo "PostgreSQL $label: $passed passed, $failed failed ($(duration "$seconds"))"
        PASSED=$((PASSED + passed))
        FAILED=$((FAILED + failed))
        total_seconds=$((total_seconds + seconds))
    done < "$RESULTS"
    echo "(all: $(duration "$total_seconds"))"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

main "$@"
