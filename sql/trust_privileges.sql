-- Gaps between what a caller may read and what fkdoctor reads, and two
-- answers that depended on how the call was written.
CREATE SCHEMA fkd_gaps;
CREATE TABLE fkd_gaps.a (id int PRIMARY KEY);
CREATE TABLE fkd_gaps.b (id int PRIMARY KEY, a_id int REFERENCES fkd_gaps.a);
CREATE TABLE fkd_gaps.c (id int PRIMARY KEY, b_id int REFERENCES fkd_gaps.b);
INSERT INTO fkd_gaps.a VALUES (1);
SET session_replication_role = replica;
INSERT INTO fkd_gaps.b VALUES (1, 1), (2, 9);
INSERT INTO fkd_gaps.c VALUES (1, 2);
RESET session_replication_role;

-- fk_assert_clean() is VOLATILE: the planner may not skip it, in whatever
-- query it is written.
SELECT provolatile FROM pg_proc WHERE oid = 'fk_assert_clean(regclass, bigint)'::regprocedure;
\set VERBOSITY terse
SELECT count(*) FROM (SELECT fk_assert_clean('fkd_gaps.b')) s;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM (SELECT fk_assert_clean()) s;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- fk_repairs('b'): c's rows reference b's orphans (c's key is NO ACTION),
-- so the DELETE takes them too, whatever keys the call loaded, and the note
-- says so, as it does when the whole database is repaired.
SELECT strategy, note LIKE '%and the rows of fkd_gaps.c that reference them%' AS takes_dependants
FROM fk_repairs('fkd_gaps.b', 'delete');
SELECT named.note = whole.note AS same_note
FROM fk_repairs('fkd_gaps.b', 'delete') named
JOIN fk_repairs(NULL, 'delete') whole ON whole.child_table = named.child_table
WHERE whole.statement IS NOT NULL;

-- A role that may read the tables of fkd_hidden but has no USAGE on the
-- schema cannot check their keys: a whole-database call skips them (with a
-- NOTICE, not shown here: its text is the skip's) and checks the rest.
CREATE ROLE regress_fkd_no_usage;
CREATE SCHEMA fkd_hidden;
CREATE TABLE fkd_hidden.hp (id int PRIMARY KEY);
CREATE TABLE fkd_hidden.hc (id int PRIMARY KEY, p int REFERENCES fkd_hidden.hp);
CREATE SCHEMA fkd_visible;
CREATE TABLE fkd_visible.vp (id int PRIMARY KEY);
CREATE TABLE fkd_visible.vc (id int PRIMARY KEY, p int REFERENCES fkd_visible.vp);
INSERT INTO fkd_hidden.hp VALUES (1);
INSERT INTO fkd_visible.vp VALUES (1);
SET session_replication_role = replica;
INSERT INTO fkd_hidden.hc VALUES (1, 1), (2, 5);
INSERT INTO fkd_visible.vc VALUES (1, 1), (2, 6);
RESET session_replication_role;
GRANT SELECT ON ALL TABLES IN SCHEMA fkd_hidden TO regress_fkd_no_usage;
GRANT USAGE ON SCHEMA fkd_visible TO regress_fkd_no_usage;
GRANT SELECT ON ALL TABLES IN SCHEMA fkd_visible TO regress_fkd_no_usage;
SET ROLE regress_fkd_no_usage;
SET client_min_messages = warning;
SELECT child_table, missing_key FROM fk_orphans()
WHERE child_table::text LIKE 'fkd_hidden.%' OR child_table::text LIKE 'fkd_visible.%'
ORDER BY 1::text;
SELECT child_table, strategy, rows_affected FROM fk_repairs()
WHERE child_table::text LIKE 'fkd_hidden.%' OR child_table::text LIKE 'fkd_visible.%'
ORDER BY 1::text;
SELECT child_table, status FROM fk_audit()
WHERE child_table::text LIKE 'fkd_hidden.%' OR child_table::text LIKE 'fkd_visible.%'
ORDER BY 1::text;
-- fk_assert_clean() finds fkd_visible's orphan: 23503, not 42501.
\set VERBOSITY terse
SELECT fk_assert_clean();
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
RESET client_min_messages;
RESET ROLE;
DELETE FROM fkd_visible.vc WHERE p = 6;
SET ROLE regress_fkd_no_usage;
SET client_min_messages = warning;
SELECT fk_assert_clean();
RESET client_min_messages;
RESET ROLE;

-- A partitioned child and parent: SELECT on the roots is all PostgreSQL
-- asks to read their rows, partitions included, and all fk_orphans() may
-- ask: an orphan found in memory is read back through the root, not FROM
-- ONLY the partition.
CREATE SCHEMA fkd_roots;
CREATE TABLE fkd_roots.pp (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE fkd_roots.pp1 PARTITION OF fkd_roots.pp FOR VALUES FROM (0) TO (100);
CREATE TABLE fkd_roots.pc (id int, p int REFERENCES fkd_roots.pp, PRIMARY KEY (id))
    PARTITION BY RANGE (id);
CREATE TABLE fkd_roots.pc1 PARTITION OF fkd_roots.pc FOR VALUES FROM (0) TO (10);
CREATE TABLE fkd_roots.pc2 PARTITION OF fkd_roots.pc FOR VALUES FROM (10) TO (20);
INSERT INTO fkd_roots.pp VALUES (1), (2);
SET session_replication_role = replica;
INSERT INTO fkd_roots.pc VALUES (1, 1), (2, 50), (11, 2), (12, 60);
RESET session_replication_role;
GRANT USAGE ON SCHEMA fkd_roots TO regress_fkd_no_usage;
GRANT SELECT ON fkd_roots.pp, fkd_roots.pc TO regress_fkd_no_usage;
SET ROLE regress_fkd_no_usage;
SELECT constraint_name, child_table, child_key, missing_key FROM fk_orphans('fkd_roots.pc')
ORDER BY child_key::text;
SET client_min_messages = warning;  -- fkd_hidden's keys are skipped
SELECT constraint_name, child_table, missing_key FROM fk_orphans()
WHERE child_table::text LIKE 'fkd_roots.%' ORDER BY 2::text;
RESET client_min_messages;
SELECT count(*) AS orphans FROM fk_orphans('fkd_roots.pc', 1);
SELECT constraint_name, orphan_rows, missing_keys, status FROM fk_audit('fkd_roots.pc');
RESET ROLE;

SET client_min_messages = warning;
DROP SCHEMA fkd_gaps, fkd_hidden, fkd_visible, fkd_roots CASCADE;
DROP ROLE regress_fkd_no_usage;
RESET client_min_messages;
