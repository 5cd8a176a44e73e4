# Shared set-up for the demo, the test suite and the benchmarks: packages,
# build, and a throwaway PostgreSQL cluster run by the postgres user.
# Source it; it defines functions and sets nothing up by itself.

PG_MAJOR=15
PGBIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_CONFIG=$PGBIN/pg_config
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACKAGES=(build-essential g++ make perl valgrind libgtest-dev libboost-dev
          libipc-run-perl postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
          postgresql-$PG_MAJOR-cron)

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
    local missing=()
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_and_install() {
    log "building and installing fkdoctor"
    make -s -C "$REPO" PG_CONFIG="$PG_CONFIG"
    make -s -C "$REPO" install PG_CONFIG="$PG_CONFIG" >/dev/null
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
    trap stop_cluster EXIT
    log "starting a throwaway PostgreSQL $PG_MAJOR cluster on port $PGPORT in $WORKDIR"
    as_postgres_bin initdb -D "$WORKDIR/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$WORKDIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$WORKDIR'
fsync = off
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
CONF
    as_postgres_bin pg_ctl -D "$WORKDIR/data" -l "$WORKDIR/server.log" -w start >/dev/null ||
        { cat "$WORKDIR/server.log" >&2; return 1; }
    export PGHOST=$WORKDIR PGPORT PGUSER=postgres PGDATABASE=postgres
}

# Stops every server under WORKDIR: ours, and any a TAP test left running
# when the run was interrupted.
stop_cluster() {
    [ -n "${WORKDIR:-}" ] || return 0
    local pidfile
    find "$WORKDIR" -name postmaster.pid 2>/dev/null | while read -r pidfile; do
        as_postgres_bin pg_ctl -D "$(dirname "$pidfile")" -m fast -w stop </dev/null >/dev/null 2>&1 || true
    done
    rm -rf "$WORKDIR"
}

# A copy of the repository the postgres user can write (pg_regress and the
# TAP tests write their results next to the tests).
postgres_copy_of_repo() {
    local copy=$WORKDIR/repo
    mkdir -p "$copy"
    (cd "$REPO" && tar --exclude=.git -cf - .) | tar -C "$copy" -xf -
    chown -R postgres "$copy"
    echo "$copy"
}

run_psql() { "$PGBIN/psql" -X -v ON_ERROR_STOP=1 "$@"; }
