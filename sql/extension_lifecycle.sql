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
DROP EXTENSION fkdoctor;
SELECT count(*) AS functions_left FROM pg_proc WHERE proname LIKE 'fk\_%' AND pronamespace = 'fkd_tools'::regnamespace;
DROP SCHEMA fkd_tools;
CREATE EXTENSION fkdoctor;
SELECT constraint_name, missing_key FROM fk_orphans('fkd_lc_child');
DROP TABLE fkd_lc_child, fkd_lc_parent;
