-- A hostile search_path cannot change what fkdoctor reports: the catalog
-- queries and the generated SQL name pg_catalog's objects explicitly, and
-- run under search_path = pg_catalog, pg_temp.
CREATE SCHEMA fkd_safe;
CREATE TABLE fkd_safe.parent (id int PRIMARY KEY);
CREATE TABLE fkd_safe.child (id int PRIMARY KEY, parent_id int REFERENCES fkd_safe.parent);
INSERT INTO fkd_safe.parent VALUES (1);
SET session_replication_role = replica;
INSERT INTO fkd_safe.child VALUES (1, 1), (2, 2);
RESET session_replication_role;
CREATE TABLE fkd_safe.expected AS
SELECT constraint_name, child_key, missing_key FROM fk_orphans('fkd_safe.child');

-- An equality that says every pair of integers is equal would hide orphans;
-- look-alike catalogs and functions would hide keys or change the rows.
CREATE SCHEMA fkd_evil;
CREATE FUNCTION fkd_evil.always_equal(int, int) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR fkd_evil.= (LEFTARG = int, RIGHTARG = int, FUNCTION = fkd_evil.always_equal);
CREATE TABLE fkd_evil.pg_constraint (LIKE pg_catalog.pg_constraint);
CREATE TABLE fkd_evil.pg_class (LIKE pg_catalog.pg_class);
CREATE FUNCTION fkd_evil.jsonb_build_object(VARIADIC "any") RETURNS jsonb
    LANGUAGE sql AS $$SELECT '{"hijacked": true}'::jsonb$$;
CREATE FUNCTION fkd_evil.has_table_privilege(oid, text) RETURNS boolean
    LANGUAGE sql AS 'SELECT false';

SET search_path = fkd_evil, pg_catalog, public;
SELECT 2 = 3 AS "hostile = is in effect";
SELECT o.constraint_name, o.child_key, o.missing_key,
       (o.constraint_name, o.child_key, o.missing_key) IN (SELECT * FROM fkd_safe.expected) AS as_expected
FROM fk_orphans('fkd_safe.child') o;
SELECT constraint_name, child_columns, parent_columns FROM fk_constraints('fkd_safe.child');
RESET search_path;

SET client_min_messages = warning;
DROP SCHEMA fkd_safe, fkd_evil CASCADE;
RESET client_min_messages;
