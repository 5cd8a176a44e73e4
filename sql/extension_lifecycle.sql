-- The extension can live in any schema, be dropped, and be updated in place.
DROP EXTENSION fkdoctor;
CREATE SCHEMA fkd_tools;
CREATE EXTENSION fkdoctor SCHEMA fkd_tools;
SELECT e.extname, n.nspname, e.extversion
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'fkdoctor';
CREATE TABLE fkd_lc_parent (id int PRIMARY KEY);
CREATE TABLE fkd_lc_child (id int PRIMARY KEY, parent_id int REFERENCES fkd_lc_parent);
SET session_replication_role = replica;
INSERT INTO fkd_lc_child VALUES (1, 7);
RESET session_replication_role;
SELECT constraint_name, missing_key FROM fkd_tools.fk_orphans('fkd_lc_child');
-- The history lives in the extension's schema too.
SELECT fkd_tools.fk_audit_record() > 0 AS recorded;
SELECT constraint_name, orphan_rows FROM fkd_tools.fk_audit_log;
DROP EXTENSION fkdoctor;
SELECT count(*) AS functions_left FROM pg_proc WHERE proname LIKE 'fk\_%' AND pronamespace = 'fkd_tools'::regnamespace;
DROP SCHEMA fkd_tools;
CREATE EXTENSION fkdoctor;
SELECT constraint_name, missing_key FROM fk_orphans('fkd_lc_child');
-- A versioned upgrade: 0.1 had no audit; ALTER EXTENSION brings it.
DROP EXTENSION fkdoctor;
CREATE EXTENSION fkdoctor VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'fkdoctor';
SELECT count(*) AS audit_functions FROM pg_proc WHERE proname = 'fk_audit';
ALTER EXTENSION fkdoctor UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'fkdoctor';
SELECT constraint_name, orphan_rows, status FROM fk_audit('fkd_lc_child');
SELECT fk_audit_record() > 0 AS recorded;
SELECT count(*) AS dumped_tables FROM pg_extension, unnest(extconfig) WHERE extname = 'fkdoctor';
-- From 0.3, the history is kept, and old runs compare with budgeted ones.
DROP EXTENSION fkdoctor;
CREATE EXTENSION fkdoctor VERSION '0.3';
SELECT fk_audit_record() > 0 AS recorded;
ALTER EXTENSION fkdoctor UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'fkdoctor';
SELECT count(*) AS runs_kept, count(time_budget) AS budgeted FROM fk_audit_run;
SELECT fk_audit_record('1 hour') > 0 AS recorded;
SELECT constraint_name, orphan_rows, status FROM fk_audit_coverage;
SELECT constraint_name, orphans_before, orphans_now, change FROM fk_audit_changes;
-- A fresh install is 0.1 plus the updates: the same objects either way.
SELECT count(*) AS objects_after_update FROM pg_depend
WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fkdoctor') AND deptype = 'e' \gset
DROP EXTENSION fkdoctor;
CREATE EXTENSION fkdoctor;
SELECT extversion, (SELECT count(*) FROM pg_depend
    WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fkdoctor') AND deptype = 'e') = :objects_after_update AS same_objects
FROM pg_extension WHERE extname = 'fkdoctor';
DROP TABLE fkd_lc_child, fkd_lc_parent;
