#!/bin/bash
# Builds PostgreSQL 18.3 from the vendored source tarball, once per flavour,
# and caches the installation under /var/cache/fkdoctor.
#
#   bash test/lib/build-postgres.sh release|cassert   prints the prefix's pg_config
#   source test/lib/build-postgres.sh; build_postgres release
#                                                     sets and exports PG_CONFIG
#
# Flavours: release (--enable-tap-tests --with-icu) and cassert (the same plus
# --enable-debug --enable-cassert). The prefix is
# /var/cache/fkdoctor/postgresql-18.3-<flavour>-<key>, key = the first 16 hex
# digits of sha256(tarball's sha256, configure flags, `gcc --version` line 1).
# A prefix counts only once its stamp file .complete exists (written last);
# concurrent runs serialise on a lock file next to the prefix. FKDOCTOR_VENDOR
# overrides the vendor directory (default: ../shared/vendor beside the repo).
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

PG18_VERSION=18.3
PG18_SHA256=c5df83338251ac686ae92ac0cf0371ce7b5ee9c966c9e057fd8bac335d9f019c
PG18_CACHE=${FKDOCTOR_PG_CACHE:-/var/cache/fkdoctor}
PG18_BUILD_PACKAGES=(build-essential bison flex libreadline-dev zlib1g-dev libicu-dev
                     pkg-config libipc-run-perl xz-utils util-linux)

_pg18_repo() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

_pg18_log() { printf '== %s\n' "$*" >&2; }

pg18_configure_flags() {
    case "$1" in
        release) echo "--enable-tap-tests --with-icu" ;;
        cassert) echo "--enable-tap-tests --with-icu --enable-debug --enable-cassert" ;;
        *) echo "build-postgres.sh: unknown flavour '$1' (release or cassert)" >&2; return 1 ;;
    esac
}

_pg18_install_build_deps() { install_missing_packages build-postgres.sh "${PG18_BUILD_PACKAGES[@]}"; }

# Prints the prefix of a flavour (whether or not it is built yet).
pg18_prefix() {
    local flavour=$1 flags tarball_sha gcc_line key
    flags=$(pg18_configure_flags "$flavour") || return 1
    gcc_line=$(gcc --version 2>/dev/null | head -n 1)
    key=$(printf '%s\n%s\n%s\n' "$PG18_SHA256" "$flags" "$gcc_line" | sha256sum | cut -c1-16)
    echo "$PG18_CACHE/postgresql-$PG18_VERSION-$flavour-$key"
}

# Builds (unless cached) and exports PG_CONFIG for the flavour.
build_postgres() {
    local flavour=${1:-release} vendor tarball prefix flags actual
    vendor=${FKDOCTOR_VENDOR:-$(_pg18_repo)/../shared/vendor}
    tarball=$vendor/postgresql-$PG18_VERSION.tar.xz
    flags=$(pg18_configure_flags "$flavour") || return 1
    prefix=$(pg18_prefix "$flavour") || return 1

    if [ ! -f "$prefix/.complete" ]; then
        _pg18_install_build_deps || return 1
        [ -f "$tarball" ] || { echo "build-postgres.sh: $tarball not found (set FKDOCTOR_VENDOR)" >&2; return 1; }
        mkdir -p "$PG18_CACHE" && chmod 755 "$PG18_CACHE" || return 1
        # The lock is held by the subshell's file descriptor 9 until it ends.
        (
            flock 9
            [ -f "$prefix/.complete" ] && exit 0
            actual=$(sha256sum "$tarball" | cut -d' ' -f1)
            if [ "$actual" != "$PG18_SHA256" ]; then
                echo "build-postgres.sh: $tarball has sha256 $actual, expected $PG18_SHA256" >&2
                exit 1
            fi
            rm -rf "$prefix"
            build=$(mktemp -d "${TMPDIR:-/tmp}/pg18-build.XXXXXX") || exit 1
            trap 'rm -rf "$build"' EXIT
            _pg18_log "building PostgreSQL $PG18_VERSION ($flavour) into $prefix"
            start=$(date +%s)
            tar -C "$build" -xJf "$tarball" &&
            cd "$build/postgresql-$PG18_VERSION" &&
            # shellcheck disable=SC2086
            ./configure --prefix="$prefix" $flags >"$build/configure.log" 2>&1 ||
                { tail -n 40 "$build/configure.log" >&2; exit 1; }
            make -j2 -s world-bin >"$build/make.log" 2>&1 ||
                { tail -n 60 "$build/make.log" >&2; exit 1; }
            make -s install-world-bin >"$build/install.log" 2>&1 ||
                { tail -n 40 "$build/install.log" >&2; exit 1; }
            chmod -R a+rX "$prefix" && chmod 755 "$prefix" || exit 1
            printf 'PostgreSQL %s %s\nconfigure %s\n%s\nbuilt %s in %ss\n' \
                "$PG18_VERSION" "$flavour" "$flags" "$(gcc --version | head -n 1)" \
                "$(date -u +%FT%TZ)" "$(( $(date +%s) - start ))" >"$prefix/.complete"
            _pg18_log "built PostgreSQL $PG18_VERSION ($flavour) in $(( $(date +%s) - start ))s"
        ) 9>"$prefix.lock" || return 1
    fi
    [ -x "$prefix/bin/pg_config" ] || { echo "build-postgres.sh: $prefix/bin/pg_config missing" >&2; return 1; }
    export PG_CONFIG=$prefix/bin/pg_config
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    build_postgres "${1:-release}"
    echo "$PG_CONFIG"
fi
