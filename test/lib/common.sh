# Shared set-up for the demo, the test suite and the benchmarks: packages,
# build, and a throwaway PostgreSQL cluster run by the postgres user.
# Source it; it defines functions and sets nothing up by itself.
#
# The PostgreSQL it works with is PG_CONFIG's: Debian's 15 unless use_pg
# picks another (15, 18 or 18-cassert; 18 is built once from vendor/ by
# lib/build-postgres.sh and cached). Everything else (binaries, PGXS, the
# TAP modules, pg_regress) is derived from pg_config.
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PG_LABEL=15
PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
PGBIN=/usr/lib/postgresql/15/bin
PACKAGES=(build-essential g++ make perl valgrind libgtest-dev libboost-dev
          libipc-run-perl postgresql-15 postgresql-server-dev-15
          postgresql-15-cron)

log() { printf '\n== %s\n' "$*"; }

as_postgres() { runuser -u postgres -- "$@"; }

# A server program as postgres, from / (the caller's directory, e.g. under
# /root, may be closed to postgres).
as_postgres_bin() { (cd / && as_postgres "$PGBIN/$1" "${@:2}"); }

require_root() {
    [ "$(id -u)" -eq 0 ] && return 0
    echo "$(basename "$0"): run as root (it installs packages and runs the cluster as postgres)," \
         "e.g. sudo bash $0" >&2
    exit 1
}

install_packages() {
    require_root
    install_missing_packages "$(basename "$0")" "${PACKAGES[@]}"
}

# Selects the PostgreSQL to build for and test against: 15 (Debian's),
# 18 or 18-cassert (built from vendor/ if not cached yet).
use_pg() {
    case $1 in
        15) PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config ;;
        18|18-cassert)
            source "$REPO/test/lib/build-postgres.sh"
            if [ "$1" = 18 ]; then build_postgres release; else build_postgres cassert; fi || return 1 ;;
        *) echo "unknown PostgreSQL '$1': 15, 18 or 18-cassert" >&2; return 2 ;;
    esac
    [ -x "$PG_CONFIG" ] || { echo "$PG_CONFIG not found" >&2; return 1; }
    PG_LABEL=$1
    PGBIN=$("$PG_CONFIG" --bindir)
    export PG_CONFIG PGBIN
}

# Builds fkdoctor in a copy of the sources of its own (one per PostgreSQL:
# objects of one version never meet another's, and the repository stays
# clean) and gives the copy to postgres: pg_regress and the TAP tests write
# their results next to the tests. Installs it into a private copy of the
# PostgreSQL installation (hard links where possible; PostgreSQL finds its
# share and lib directories relative to its binaries), so that neither the
# system's PostgreSQL nor the cached 18 builds change, and runs of other
# branches on the same machine cannot swap the extension under a run. Sets
# BUILD_DIR, INSTALL_DIR, PGBIN and TEST_PG_CONFIG (the copy's; PG_CONFIG stays
# the original, whose headers the build uses).
build_and_install() {
    log "building and installing fkdoctor for PostgreSQL $PG_LABEL ($PG_CONFIG)"
    BUILD_DIR=$(mktemp -d /tmp/fkdoctor-build.XXXXXX)
    # Not named after fkdoctor: memcheck.sh tells our reports by that name.
    INSTALL_DIR=$(mktemp -d /tmp/pg-install.XXXXXX)
    trap cleanup EXIT
    chmod 755 "$BUILD_DIR" "$INSTALL_DIR"
    private_installation || return 1
    (cd "$REPO" && tar --exclude=.git -cf - .) | tar -C "$BUILD_DIR" -xf - &&
        make -s -C "$BUILD_DIR" clean PG_CONFIG="$PG_CONFIG" >/dev/null &&
        make -s -j2 -C "$BUILD_DIR" PG_CONFIG="$PG_CONFIG" &&
        make -s -C "$BUILD_DIR" install PG_CONFIG="$PG_CONFIG" DESTDIR="$INSTALL_DIR" >/dev/null &&
        chown -R postgres "$BUILD_DIR" || return 1
    PGBIN=$INSTALL_DIR$("$PG_CONFIG" --bindir)
    TEST_PG_CONFIG=$PGBIN/pg_config
    export PGBIN TEST_PG_CONFIG
}

# The installation's bin, share and lib directories under INSTALL_DIR,
# without any fkdoctor installed there before.
private_installation() {
    local dir sharedir pkglibdir
    sharedir=$("$PG_CONFIG" --sharedir) && pkglibdir=$("$PG_CONFIG" --pkglibdir) || return 1
    for dir in "$("$PG_CONFIG" --bindir)" "$sharedir" "$pkglibdir"; do
        [ ! -e "$INSTALL_DIR$dir" ] || continue
        mkdir -p "$INSTALL_DIR$(dirname "$dir")" || return 1
        cp -al "$dir" "$INSTALL_DIR$dir" 2>/dev/null || cp -a "$dir" "$INSTALL_DIR$dir" || return 1
    done
    rm -rf "$INSTALL_DIR$sharedir/extension/fkdoctor."* "$INSTALL_DIR$sharedir/extension/fkdoctor--"* \
        "$INSTALL_DIR$pkglibdir/fkdoctor.so" "$INSTALL_DIR$pkglibdir/bitcode/fkdoctor"*
}

cleanup() {
    stop_cluster
    stop_citus_cluster
    if [ -n "${BUILD_DIR:-}" ]; then
        stop_servers_under "$BUILD_DIR"
        rm -rf "$BUILD_DIR"
    fi
    [ -z "${INSTALL_DIR:-}" ] || rm -rf "$INSTALL_DIR"
    BUILD_DIR= INSTALL_DIR=
}

free_port() {
    perl -MIO::Socket::INET -e \
        'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport'
}

# A fresh cluster in a temporary directory owned by postgres, on 127.0.0.1
# and a socket inside that directory; stopped and removed at exit.
start_cluster() {
    WORKDIR=$(mktemp -d /tmp/fkdoctor.XXXXXX)
    chown postgres "$WORKDIR"
    chmod 755 "$WORKDIR"
    PGPORT=$(free_port)
    trap cleanup EXIT
    log "starting a throwaway PostgreSQL $PG_LABEL cluster on port $PGPORT in $WORKDIR"
    as_postgres_bin initdb -D "$WORKDIR/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null || return 1
    cat >> "$WORKDIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$WORKDIR'
fsync = off
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
CONF
    # pg_cron only where it is installed (Debian packages it for 15 only).
    if [ -f "$("${TEST_PG_CONFIG:-$PG_CONFIG}" --pkglibdir)/pg_cron.so" ]; then
        printf "shared_preload_libraries = 'pg_cron'\ncron.database_name = 'postgres'\n" \
            >> "$WORKDIR/data/postgresql.conf"
    fi
    as_postgres_bin pg_ctl -D "$WORKDIR/data" -l "$WORKDIR/server.log" -w start >/dev/null ||
        { cat "$WORKDIR/server.log" >&2; return 1; }
    export PGHOST=$WORKDIR PGPORT PGUSER=postgres PGDATABASE=postgres
}

# Stops every server whose data directory is under $1: ours, and any a TAP
# test (under BUILD_DIR/tmp_check) left running when a run was interrupted.
stop_servers_under() {
    local pidfile
    find "$1" -name postmaster.pid 2>/dev/null | while read -r pidfile; do
        as_postgres_bin pg_ctl -D "$(dirname "$pidfile")" -m fast -w stop </dev/null >/dev/null 2>&1 || true
    done
}

stop_cluster() {
    [ -n "${WORKDIR:-}" ] || return 0
    stop_servers_under "$WORKDIR"
    rm -rf "$WORKDIR"
    WORKDIR=
}

# A throwaway Citus cluster beside the plain one: a coordinator and two
# workers on 127.0.0.1, each on a free port, from one initdb copied three
# times, in a temporary directory owned by postgres; stopped and removed at
# exit. Citus must be installed into PGBIN's PostgreSQL (lib/build-citus.sh).
# Extra postgresql.conf lines come in CITUS_CONF. Sets CITUS_WORKDIR,
# CITUS_PORTS (coordinator first) and CITUS_HOST (the socket directory).
start_citus_cluster() {
    local node port
    CITUS_WORKDIR=$(mktemp -d /tmp/fkdoctor-citus.XXXXXX)
    CITUS_HOST=$CITUS_WORKDIR
    CITUS_PORTS=()
    chown postgres "$CITUS_WORKDIR"
    chmod 755 "$CITUS_WORKDIR"
    trap cleanup EXIT
    as_postgres_bin initdb -D "$CITUS_WORKDIR/coordinator" -A trust -E UTF8 --locale=C.UTF-8 \
        >/dev/null || return 1
    cat >> "$CITUS_WORKDIR/coordinator/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$CITUS_WORKDIR'
shared_preload_libraries = 'citus'
fsync = off
max_connections = 100
${CITUS_CONF:-}
CONF
    for node in worker1 worker2; do
        as_postgres cp -a "$CITUS_WORKDIR/coordinator" "$CITUS_WORKDIR/$node" || return 1
    done
    for node in coordinator worker1 worker2; do
        port=$(free_port)
        CITUS_PORTS+=("$port")
        echo "port = $port" >> "$CITUS_WORKDIR/$node/postgresql.conf"
        as_postgres_bin pg_ctl -D "$CITUS_WORKDIR/$node" -l "$CITUS_WORKDIR/$node.log" -w start \
            >/dev/null || { cat "$CITUS_WORKDIR/$node.log" >&2; return 1; }
        citus_psql "$port" -c 'CREATE EXTENSION citus' >/dev/null || return 1
    done
    log "started a throwaway Citus cluster on 127.0.0.1: coordinator on port ${CITUS_PORTS[0]}," \
        "workers on ${CITUS_PORTS[1]} and ${CITUS_PORTS[2]}, in $CITUS_WORKDIR"
    citus_psql "${CITUS_PORTS[0]}" -q \
        -c "SELECT citus_set_coordinator_host('127.0.0.1', ${CITUS_PORTS[0]})" \
        -c "SELECT citus_add_node('127.0.0.1', ${CITUS_PORTS[1]})" \
        -c "SELECT citus_add_node('127.0.0.1', ${CITUS_PORTS[2]})" >/dev/null
}

# psql on a node of the Citus cluster, by its port.
citus_psql() { run_psql -h "$CITUS_HOST" -p "$1" -U postgres -d postgres "${@:2}"; }

stop_citus_cluster() {
    [ -n "${CITUS_WORKDIR:-}" ] || return 0
    stop_servers_under "$CITUS_WORKDIR"
    rm -rf "$CITUS_WORKDIR"
    CITUS_WORKDIR=
}

run_psql() { "$PGBIN/psql" -X -v ON_ERROR_STOP=1 "$@"; }
