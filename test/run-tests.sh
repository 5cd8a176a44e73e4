#!/usr/bin/env bash
# The README's second command: every test suite on a throwaway cluster.
# Run as root on Debian 12: it installs what it needs. Usage:
#   test/run-tests.sh [unit|regress|tap|memcheck|bench ...]   (default: all)
# Ends with the line "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

PGXS_PERL=/usr/lib/postgresql/$PG_MAJOR/lib/pgxs/src/test/perl
PG_REGRESS=/usr/lib/postgresql/$PG_MAJOR/lib/pgxs/src/test/regress/pg_regress
UNIT_SOURCES=(src/catalog_model.cpp src/sql_quoting.cpp src/sql_generator.cpp src/repair_generator.cpp src/audit_query.cpp src/lint_checks.cpp)
PASSED=0
FAILED=0

count() {  # suite passed failed
    echo "-- $1: $2 passed, $3 failed"
    PASSED=$((PASSED + $2))
    FAILED=$((FAILED + $3))
}

suite_unit() {
    log "C++ unit tests (GoogleTest)"
    local binary=$WORKDIR/unit-tests output
    (cd "$REPO" && g++ -std=c++17 -Wall -Isrc -I"$("$PG_CONFIG" --includedir-server)" \
        test/unit/*.cpp "${UNIT_SOURCES[@]}" -lgtest -lgtest_main -pthread -o "$binary")
    output=$("$binary" 2>&1) || true
    echo "$output" | grep -E '^\[  (FAILED|PASSED) |^\[==========\]' || true
    count unit "$(echo "$output" | grep -c '^\[       OK \]' || true)" \
               "$(echo "$output" | grep -c '^\[  FAILED  \] [A-Za-z]' || true)"
}

suite_regress() {
    log "SQL regression tests (pg_regress)"
    local output status=0
    output=$(cd "$COPY" && as_postgres env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
        make -s installcheck PG_CONFIG="$PG_CONFIG" 2>&1) || status=$?
    echo "$output" | grep -E '^(test| All| [0-9]+ of)' || true
    [ $status -eq 0 ] || cat "$COPY/regression.diffs" 2>/dev/null || true
    local passed failed
    passed=$(echo "$output" | grep -cE '^test .* \.\.\. ok' || true)
    failed=$(echo "$output" | grep -cE '^test .* \.\.\. FAILED' || true)
    [ $status -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
    count regress "$passed" "$failed"
}

suite_tap() {
    log "TAP tests (prove, PostgreSQL::Test::Cluster)"
    local output status=0
    output=$(cd "$COPY/test" && as_postgres env PATH="$PGBIN:$PATH" PG_REGRESS="$PG_REGRESS" \
        TESTDIR="$COPY/test" PGHOST= PGPORT= \
        prove -v -I "$PGXS_PERL" t/*.pl 2>&1) || status=$?
    echo "$output" | grep -E '^(t/|ok |not ok |#   Failed|Files=|Result:)' || true
    local passed failed
    passed=$(echo "$output" | grep -cE '^ok [0-9]' || true)
    failed=$(echo "$output" | grep -cE '^not ok [0-9]' || true)
    [ $status -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
    [ $status -eq 0 ] || find "$COPY/test/tmp_check/log" -name 'regress_log_*' -exec tail -n 40 {} + 2>/dev/null || true
    count tap "$passed" "$failed"
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
