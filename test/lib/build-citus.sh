#!/bin/bash
# Builds Citus 13.2.2 from the vendored source tarball against one
# PostgreSQL, once, caches the build tree under /var/cache/fkdoctor, and
# installs it into that PostgreSQL (make install from the cached tree).
#
#   bash test/lib/build-citus.sh [PG_CONFIG [TARGET_PG_CONFIG]]   build (unless cached) and install
#   source test/lib/build-citus.sh; build_citus PG_CONFIG; install_citus PG_CONFIG
#
# PG_CONFIG defaults to Debian's PostgreSQL 15. Citus 13.2.2 supports
# PostgreSQL 15, 16 and 17; for any other major version this fails with a
# clear message. The cache directory is
# /var/cache/fkdoctor/citus-13.2.2-pg<major>-<key>, key = the first 16 hex
# digits of sha256(the tarball's sha256, `pg_config --version`, the
# pg_config path, `gcc --version` line 1, the compatibility patch's
# sha256); it counts only once its stamp file .complete exists (written
# last), and concurrent runs serialise on a lock file next to it.
# FKDOCTOR_VENDOR overrides the vendor directory (default: ../shared/vendor
# beside the repository), FKDOCTOR_CITUS_CACHE the cache directory.
#
# Debian's PostgreSQL headers include <gssapi/gssapi.h> (libpq-be.h), so
# libkrb5-dev is needed besides the packages vendor/README.md names.
#
# Compatibility: PostgreSQL 15.20 exports have_createdb_privilege(), of
# which Citus keeps a static copy for versions below 16, and the two do not
# compile together. When the target's commands/dbcommands.h declares the
# function, citus-13.2.2-pg15-have_createdb_privilege.patch (next to this
# script, explained at its top) removes the copy; nothing else is changed.
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

CITUS_VERSION=13.2.2
CITUS_SHA256=79fc02d908b62e2ced6e13607c7a89bdd97174eef9dade92d8067a289ae84fce
CITUS_CACHE=${FKDOCTOR_CITUS_CACHE:-/var/cache/fkdoctor}
CITUS_BUILD_PACKAGES=(build-essential libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev
                      xz-utils util-linux patch)
CITUS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CITUS_PATCH=$CITUS_LIB_DIR/citus-$CITUS_VERSION-pg15-have_createdb_privilege.patch

_citus_log() { printf '== %s\n' "$*" >&2; }

_citus_install_build_deps() { install_missing_packages build-citus.sh "${CITUS_BUILD_PACKAGES[@]}"; }

# The major version of the PostgreSQL behind pg_config, or an error when
# Citus does not support it.
citus_pg_major() {
    local pg_config=$1 version major
    version=$("$pg_config" --version) || { echo "build-citus.sh: cannot run $pg_config" >&2; return 1; }
    major=$(echo "$version" | sed -nE 's/^PostgreSQL ([0-9]+).*/\1/p')
    case "$major" in
        15|16|17) echo "$major" ;;
        *) echo "build-citus.sh: Citus $CITUS_VERSION supports PostgreSQL 15, 16 and 17, not '$version'" >&2
           return 1 ;;
    esac
}

# Prints the cached build directory for a pg_config (built or not).
citus_build_dir() {
    local pg_config=$1 major key
    major=$(citus_pg_major "$pg_config") || return 1
    key=$(printf '%s\n%s\n%s\n%s\n%s\n' "$CITUS_SHA256" "$("$pg_config" --version)" \
              "$(readlink -f "$pg_config")" "$(gcc --version 2>/dev/null | head -n 1)" \
              "$(sha256sum "$CITUS_PATCH" | cut -d' ' -f1)" | sha256sum | cut -c1-16)
    echo "$CITUS_CACHE/citus-$CITUS_VERSION-pg$major-$key"
}

# Whether PostgreSQL's headers declare have_createdb_privilege() (15.20 does).
_citus_pg_exports_have_createdb_privilege() {
    grep -q 'extern bool have_createdb_privilege' \
        "$("$1" --includedir-server)/commands/dbcommands.h" 2>/dev/null
}

# Builds Citus for pg_config unless its build is cached; prints the tree.
build_citus() {
    local pg_config=${1:-/usr/lib/postgresql/15/bin/pg_config} vendor tarball dir
    vendor=${FKDOCTOR_VENDOR:-$CITUS_LIB_DIR/../../../shared/vendor}
    tarball=$vendor/citus-$CITUS_VERSION.tar.xz
    dir=$(citus_build_dir "$pg_config") || return 1
    if [ ! -f "$dir/.complete" ]; then
        _citus_install_build_deps || return 1
        [ -f "$tarball" ] || { echo "build-citus.sh: $tarball not found (set FKDOCTOR_VENDOR)" >&2; return 1; }
        mkdir -p "$CITUS_CACHE" && chmod 755 "$CITUS_CACHE" || return 1
        # The lock is held by the subshell's file descriptor 9 until it ends.
        (
            flock 9
            [ -f "$dir/.complete" ] && exit 0
            actual=$(sha256sum "$tarball" | cut -d' ' -f1)
            if [ "$actual" != "$CITUS_SHA256" ]; then
                echo "build-citus.sh: $tarball has sha256 $actual, expected $CITUS_SHA256" >&2
                exit 1
            fi
            rm -rf "$dir" && mkdir -p "$dir" || exit 1
            _citus_log "building Citus $CITUS_VERSION for $("$pg_config" --version) in $dir"
            start=$(date +%s)
            tar -C "$dir" -xJf "$tarball" && cd "$dir/citus-$CITUS_VERSION" || exit 1
            patched=no
            if _citus_pg_exports_have_createdb_privilege "$pg_config"; then
                patch -s -p1 <"$CITUS_PATCH" || exit 1
                patched=yes
            fi
            ./configure PG_CONFIG="$pg_config" >"$dir/configure.log" 2>&1 ||
                { tail -n 40 "$dir/configure.log" >&2; exit 1; }
            nice make -j2 -s >"$dir/make.log" 2>&1 ||
                { tail -n 60 "$dir/make.log" >&2; exit 1; }
            printf 'Citus %s\n%s (%s)\n%s\nhave_createdb_privilege patch: %s\nbuilt %s in %ss\n' \
                "$CITUS_VERSION" "$("$pg_config" --version)" "$pg_config" \
                "$(gcc --version | head -n 1)" "$patched" "$(date -u +%FT%TZ)" \
                "$(( $(date +%s) - start ))" >"$dir/.complete"
            _citus_log "built Citus $CITUS_VERSION in $(( $(date +%s) - start ))s"
        ) 9>"$dir.lock" || return 1
    fi
    echo "$dir/citus-$CITUS_VERSION"
}

# Whether Citus is installed into the PostgreSQL behind pg_config.
citus_installed() {
    local pg_config=$1
    [ -f "$("$pg_config" --pkglibdir)/citus.so" ] &&
        [ -f "$("$pg_config" --sharedir)/extension/citus.control" ]
}

# Builds (unless cached) and installs Citus: built against pg_config's
# PostgreSQL (its server headers), installed into target's (by default the
# same; the test runner's private copy of it has no headers of its own),
# unless the very same build is installed there already.
install_citus() {
    local pg_config=${1:-/usr/lib/postgresql/15/bin/pg_config} tree dir
    local target=${2:-$pg_config}
    tree=$(build_citus "$pg_config") || return 1
    dir=$(dirname "$tree")
    if citus_installed "$target" &&
        cmp -s "$tree/src/backend/distributed/citus.so" "$("$target" --pkglibdir)/citus.so"; then
        return 0
    fi
    if [ ! -w "$("$target" --pkglibdir)" ]; then
        echo "build-citus.sh: cannot write $("$target" --pkglibdir) (run as root to install Citus)" >&2
        return 1
    fi
    (
        flock 9
        _citus_log "installing Citus $CITUS_VERSION into $("$target" --pkglibdir)"
        # PG_CONFIG on the command line: the tree was configured for the
        # PostgreSQL it was built against; target may be a copy of it.
        make -s -C "$tree" install PG_CONFIG="$target" >"$dir/install.log" 2>&1 ||
            { tail -n 40 "$dir/install.log" >&2; exit 1; }
    ) 9>"$dir.lock"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    install_citus "${1:-/usr/lib/postgresql/15/bin/pg_config}" "${2:-}"
    echo "Citus $CITUS_VERSION installed for $("${2:-${1:-/usr/lib/postgresql/15/bin/pg_config}}" --version)"
fi
