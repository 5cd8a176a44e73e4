#!/usr/bin/env bash
# The README's second command: every test suite on a throwaway cluster.
# Run as root on Debian 12: it installs what it needs. Usage:
#   test/run-tests.sh [unit|regress|tap|memcheck|bench ...]   (default: all)
# Ends with the line "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

PGXS_PERL=/usr/lib/postgresql/$PG_MAJOR/lib/pgxs/src/test/perl
PG_REGRESS=/usr/lib/postgresql/$PG_MAJOR/lib/pgxs/src/test/regress/pg_regress
UNIT_SOURCES=(src/core/*.cpp)
PASSED=0
FAILED=0

count() {  # suite passed failed
    echo "-- $1: $2 passed, $3 failed"
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

# GoogleTest: the closing "[  PASSED  ] 36 tests.", and one "[  FAILED  ] Suite.Name
# (2 ms)" per failed test (the closing list repeats the names without a time).
gtest_passed() { echo "$1" | sed -nE 's/^\[  PASSED  \] ([0-9]+) tests?\./\1/p' | grep . || echo 0; }
gtest_failed() { echo "$1" | grep -cE '^\[  FAILED  \] .* \([0-9]+ ms\)$' || true; }

suite_unit() {
    log "C++ unit tests (GoogleTest)"
    have_files "$REPO/test/unit/*.cpp" || { echo "no test/unit/*.cpp yet"; count unit 0 0; return; }
    local binary=$WORKDIR/unit-tests output status=0
    (cd "$REPO" && g++ -std=c++17 -Wall -Isrc -I"$("$PG_CONFIG" --includedir-server)" \
        test/unit/*.cpp "${UNIT_SOURCES[@]}" -lgtest -lgtest_main -pthread -o "$binary") ||
        { count unit 0 1; return; }
    output=$(stdbuf -oL "$binary" --gtest_brief=1 2>&1) || status=$?
    echo "$output"
    [ $status -eq 0 ] || echo "the unit tests exited with status $status"
    count_run unit $status "$(gtest_passed "$output")" "$(gtest_failed "$output")"
}

suite_regress() {
    log "SQL regression tests (pg_regress)"
    have_files "$REPO/sql/*.sql" || { echo "no sql/*.sql yet"; count regress 0 0; return; }
    local output status=0
    output=$(cd "$COPY" && as_postgres env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
        make -s installcheck PG_CONFIG="$PG_CONFIG" 2>&1) || status=$?
    if [ $status -eq 0 ]; then
        echo "$output" | grep -E '^(test| All| [0-9]+ of)' || true
    else
        echo "$output"
        cat "$COPY/regression.diffs" 2>/dev/null || true
    fi
    count_run regress $status "$(echo "$output" | grep -cE '^test .* \.\.\. ok' || true)" \
                              "$(echo "$output" | grep -cE '^test .* \.\.\. FAILED' || true)"
}

# prove: "Failed 2/3 subtests" per failing file (planned tests never run count too).
prove_failed() { echo "$1" | sed -nE 's/^Failed ([0-9]+)\/[0-9]+ subtests.*/\1/p' | awk '{ n += $1 } END { print n + 0 }'; }

suite_tap() {
    log "TAP tests (prove, PostgreSQL::Test::Cluster)"
    have_files "$REPO/test/t/*.pl" || { echo "no test/t/*.pl yet"; count tap 0 0; return; }
    local output status=0
    # Citus for t/070_citus.pl, which skips without it: built once and cached
    # (test/lib/build-citus.sh; PostgreSQL 15 to 17). FKDOCTOR_CITUS=0 skips it.
    [ "${FKDOCTOR_CITUS:-1}" = 0 ] || bash "$REPO/test/lib/build-citus.sh" "$PG_CONFIG" ||
        echo "Citus is not installed for $PG_CONFIG: t/070_citus.pl will skip"
    output=$(cd "$COPY/test" && as_postgres env PATH="$PGBIN:$PATH" PG_REGRESS="$PG_REGRESS" \
        TESTDIR="$COPY/test" PGHOST= PGPORT= \
        prove -v -I "$PGXS_PERL" t/*.pl 2>&1) || status=$?
    echo "$output"
    [ $status -eq 0 ] || find "$COPY/test/tmp_check/log" -name 'regress_log_*' -exec tail -n 40 {} + 2>/dev/null || true
    count_run tap $status "$(echo "$output" | grep -cE '^ok [0-9]' || true)" \
                          "$(prove_failed "$output")"
}

suite_memcheck() {
    log "memory check (the regression suite on a server under valgrind)"
    if bash "$REPO/test/memcheck.sh" "$COPY"; then count memcheck 1 0; else count memcheck 0 1; fi
}

suite_bench() {
    [ -x "$REPO/test/bench/smoke.sh" ] || return 0
    log "benchmark smoke run (small scale, no timing assertions)"
    if "$REPO/test/bench/smoke.sh"; then count bench 1 0; else count bench 0 1; fi
}

main() {
    local suites=("$@")
    [ ${#suites[@]} -gt 0 ] || suites=(unit regress tap memcheck bench)
    for suite in "${suites[@]}"; do
        declare -F "suite_$suite" >/dev/null ||
            { echo "unknown suite '$suite': unit, regress, tap, memcheck or bench" >&2; exit 2; }
    done
    install_packages
    build_and_install
    start_cluster
    COPY=$(postgres_copy_of_repo)
    for suite in "${suites[@]}"; do
        "suite_$suite" || count "$suite" 0 1
    done
    echo
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

main "$@"
