#!/usr/bin/env bash
# Memory safety: the pg_regress suite against a server running under
# valgrind memcheck. An error report whose stack passes through fkdoctor
# fails the check; PostgreSQL's own known reports (it is not built for
# valgrind) are not ours to judge.
#
# Needs: the extension installed, the repository copy given as $1 writable
# by the postgres user, and valgrind. Prints "memcheck: N errors in fkdoctor".
# PGBIN picks the PostgreSQL (default: Debian's 15); REGRESS=name... runs
# only those regression tests.
set -euo pipefail

tree=${1:?usage: memcheck.sh <tree writable by postgres>}
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d /tmp/fkdoctor-memcheck.XXXXXX)
chown postgres "$work"
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1")->sockport')

as_postgres() { runuser -u postgres -- "$@"; }

stop_server() {
    as_postgres "$pgbin/pg_ctl" -D "$work/data" stop -m fast >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap stop_server EXIT

as_postgres "$pgbin/initdb" -D "$work/data" -A trust >/dev/null
as_postgres bash -c "valgrind --quiet --trace-children=yes --error-markers=VGERR-BEGIN,VGERR-END \
    --suppressions=$tree/test/memcheck.supp \
    --log-file=$work/valgrind.%p.log $pgbin/postgres -D $work/data -p $port -k $work \
    -c listen_addresses='' -c fsync=off > $work/server.log 2>&1 &"
for _ in $(seq 1 300); do
    "$pgbin/pg_isready" -q -h "$work" -p "$port" && break
    sleep 1
done

set +e
(cd "$tree" && as_postgres env PGHOST="$work" PGPORT="$port" PGUSER=postgres \
    make -s installcheck PG_CONFIG="$pgbin/pg_config" ${REGRESS:+REGRESS="$REGRESS"})
regress_status=$?
[ "$regress_status" -eq 0 ] || cat "$tree/regression.diffs" 2>/dev/null
set -e

# One report per VGERR-BEGIN..VGERR-END block; ours if a frame is in
# fkdoctor.so, in namespace fkd, or in a C++ source file (PostgreSQL's are C;
# the paths of binaries do not count: the installation may sit anywhere).
errors=$(cat "$work"/valgrind.*.log | awk '
    /VGERR-BEGIN/ { block = ""; inside = 1; next }
    /VGERR-END/   { if (block ~ /fkdoctor\.so|fkd::|\.cpp:[0-9]+\)/) { count++; print block > "/dev/stderr" }
                    inside = 0; next }
    inside        { block = block "\n" $0 }
    END           { print count + 0 }')
echo "memcheck: $errors errors in fkdoctor"
[ "$regress_status" -eq 0 ] && [ "$errors" -eq 0 ]
