#!/usr/bin/env bash
# The README's first command: fkdoctor on a throwaway cluster with a demo
# shop full of orphans. Run as root on Debian 12: it installs what it needs.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

show() {
    printf '\n-- %s\n' "$1"
    echo "$2" | run_psql -d demo -e -f -
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
show "Foreign-key health from the catalogs alone (no table is scanned):" \
     "SELECT \"check\", constraint_name, severity, fix FROM fk_lint()"
show "Every orphan row: the key it breaks, where the row is, the missing parent key:" \
     "SELECT * FROM fk_orphans()"
show "A cheap sample: the first two orphans of one table:" \
     "SELECT child_key, missing_key FROM fk_orphans('shop.orders', 2)"

log "the audit: every key, why its orphans got in, kept as history"
show "One row per key: rows checked, orphans, status and how they got in:" \
     "SELECT constraint_name, child_table, rows_checked, orphan_rows, missing_keys, status, diagnosis FROM fk_audit()"
show "Record it (what pg_cron would run every night):" \
     "SELECT fk_audit_record() AS run_id"

log "repairs: review them, then run them"
show "What the schema says to do (ON DELETE actions; a person's choice where it says nothing):" \
     "SELECT constraint_name, step, strategy, rows_affected, note FROM fk_repairs()"
show "The choice here: delete the orphans. The statements, for review:" \
     "SELECT constraint_name, child_table, step, strategy, rows_affected, statement FROM fk_repairs(NULL, 'delete')"
show "Run them with psql's \\gexec:" \
     "SELECT statement FROM fk_repairs(NULL, 'delete') \\gexec"
show "Afterwards: no orphans, nothing left to repair, and every key valid again:" \
     "SELECT count(*) AS orphans FROM fk_orphans();
SELECT count(*) AS repairs FROM fk_repairs();
SELECT constraint_name, validated, enforcement FROM fk_constraints();"
show "A second audit, and what changed since the first:" \
     "SELECT fk_audit_record() AS run_id;
SELECT child_table, constraint_name, orphans_before, orphans_now, change FROM fk_audit_changes;"
