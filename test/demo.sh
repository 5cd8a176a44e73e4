#!/usr/bin/env bash
# The README's first command: fkdoctor on a throwaway cluster with a demo
# shop full of orphans. Run as root on Debian 12: it installs what it needs.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

show() {
    printf '\n-- %s\n' "$1"
    run_psql -d demo -c "$2"
}

install_packages
build_and_install
start_cluster
run_psql -q -c 'CREATE DATABASE demo'
run_psql -q -d demo -c 'CREATE EXTENSION fkdoctor'
run_psql -q -d demo -f "$REPO/test/demo/shop.sql"

log "fkdoctor on the demo shop"
show "Every foreign key, and whether PostgreSQL still enforces it:" \
     "SELECT * FROM fk_constraints()"
show "Every orphan row: the key it breaks, where the row is, the missing parent key:" \
     "SELECT * FROM fk_orphans()"
show "A cheap sample: the first two orphans of one table:" \
     "SELECT child_key, missing_key FROM fk_orphans('shop.orders', 2)"
