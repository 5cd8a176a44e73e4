-- Keys between columns of different collations, one of them nondeterministic
-- (case-insensitive here): the referenced column's collation decides, as in
-- PostgreSQL's own RI check, in fk_orphans() and in fk_repairs()'s
-- statements. PostgreSQL 18 refuses to declare such a key ("If either
-- collation is nondeterministic, then both collations have to be the same"),
-- so there this file checks only a key of one nondeterministic collation,
-- shows the refusal and stops: its output there is
-- expected/keys_across_collations_1.out.
CREATE SCHEMA fkd_collations;
SET search_path = fkd_collations, public;
CREATE COLLATION fkd_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- Both columns of the one nondeterministic collation (any version): 'ALICE'
-- and 'alice' have their parent.
CREATE TABLE same_parent (name text COLLATE fkd_ci PRIMARY KEY);
CREATE TABLE same_child (id int PRIMARY KEY, name text COLLATE fkd_ci REFERENCES same_parent);
INSERT INTO same_parent VALUES ('Alice');
SET session_replication_role = replica;
INSERT INTO same_child VALUES (1, 'ALICE'), (2, 'alice'), (3, 'Bob'), (4, 'BOB');
RESET session_replication_role;
SELECT constraint_name, child_key, missing_key FROM fk_orphans('same_child') ORDER BY child_key::text;
-- PostgreSQL agrees.
INSERT INTO same_child VALUES (5, 'aLiCe');
INSERT INTO same_child VALUES (6, 'bOb');
-- 'Bob' and 'BOB' are one missing key: put back once.
SELECT strategy, rows_affected FROM fk_repairs('same_child', 'insert_parent');
SELECT statement FROM fk_repairs('same_child', 'insert_parent') \gexec
SELECT count(*) AS parents FROM same_parent;
SELECT count(*) AS orphans_left FROM fk_orphans('same_child');

-- Columns of different collations: only where the key can be declared.
SELECT current_setting('server_version_num')::int >= 180000 AS refused \gset
\if :refused
CREATE TABLE ci_child (id int PRIMARY KEY, name text COLLATE "C" REFERENCES same_parent);
CREATE TABLE cs_parent (name text COLLATE "C" PRIMARY KEY);
CREATE TABLE cs_child (id int PRIMARY KEY, name text COLLATE fkd_ci REFERENCES cs_parent);
SET client_min_messages = warning;
DROP SCHEMA fkd_collations CASCADE;
\quit
\endif

-- fk_orphans(): a case-insensitive parent matches whatever case the child
-- has; a case-sensitive parent does not, whatever the child's collation.
CREATE TABLE ci_parent (name text COLLATE fkd_ci PRIMARY KEY);
CREATE TABLE ci_child (id int PRIMARY KEY, name text COLLATE "C" REFERENCES ci_parent);
CREATE TABLE cs_parent (name text COLLATE "C" PRIMARY KEY);
CREATE TABLE cs_child (id int PRIMARY KEY, name text COLLATE fkd_ci REFERENCES cs_parent);
INSERT INTO ci_parent VALUES ('Alice');
INSERT INTO cs_parent VALUES ('Alice');
SET session_replication_role = replica;
INSERT INTO ci_child VALUES (1, 'ALICE'), (2, 'alice'), (3, 'Bob');
INSERT INTO cs_child VALUES (1, 'Alice'), (2, 'ALICE'), (3, 'Bob');
RESET session_replication_role;
SELECT o.constraint_name, o.child_table, o.parent_table, o.child_key, o.missing_key
FROM fk_orphans() o
WHERE o.child_table IN ('ci_child'::regclass, 'cs_child'::regclass)
ORDER BY 1, 2, o.child_key::text, o.missing_key::text;
-- PostgreSQL agrees: the first insert passes its RI check, the second does not.
INSERT INTO ci_child VALUES (4, 'aLiCe');
INSERT INTO cs_child VALUES (4, 'aLiCe');
-- Without the orphans fk_orphans() found (by ctid), PostgreSQL's own check
-- passes: every key is marked NOT VALID, then validated.
SELECT format('DELETE FROM %s WHERE ctid = %L', child_table, child_ctid)
FROM fk_orphans() WHERE child_table IN ('ci_child'::regclass, 'cs_child'::regclass)
ORDER BY 1 \gexec
UPDATE pg_constraint SET convalidated = false
WHERE contype = 'f' AND conrelid IN ('ci_child'::regclass, 'cs_child'::regclass);
ALTER TABLE ci_child VALIDATE CONSTRAINT ci_child_name_fkey;
ALTER TABLE cs_child VALIDATE CONSTRAINT cs_child_name_fkey;
SELECT conname, convalidated FROM pg_constraint
WHERE contype = 'f' AND conrelid IN ('ci_child'::regclass, 'cs_child'::regclass) ORDER BY 1;
SELECT 'ci_child' AS t, * FROM ci_child UNION ALL SELECT 'cs_child', * FROM cs_child ORDER BY 1, 2;

-- fk_repairs(): a parent whose collation decides, the child's of the
-- database's default: 'Red' and 'RED' are one key, put back once.
CREATE TABLE labels (name text COLLATE fkd_ci PRIMARY KEY);
INSERT INTO labels VALUES ('blue');
CREATE TABLE label_uses (id int PRIMARY KEY, label text REFERENCES labels);
SET session_replication_role = replica;
INSERT INTO label_uses VALUES (1, 'BLUE'), (2, 'Red'), (3, 'RED');
RESET session_replication_role;
SELECT constraint_name, strategy, rows_affected, statement, note FROM fk_repairs('label_uses');
SELECT strategy, rows_affected, statement FROM fk_repairs('label_uses', 'insert_parent');
CREATE TABLE before AS SELECT * FROM label_uses;
CREATE TABLE first_run AS SELECT statement FROM fk_repairs('label_uses');
-- Run under a search_path whose "text" is an integer and whose "=" says
-- every two integers are equal: the statement names pg_catalog's objects.
CREATE SCHEMA fkd_collations_evil;
CREATE DOMAIN fkd_collations_evil.text AS int;
CREATE FUNCTION fkd_collations_evil.always_equal(int, int) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR fkd_collations_evil.= (LEFTARG = int, RIGHTARG = int,
    FUNCTION = fkd_collations_evil.always_equal);
SET search_path = fkd_collations_evil, pg_catalog, fkd_collations;
SELECT statement FROM first_run \gexec
SET search_path = fkd_collations, public;
SELECT count(*) AS repairs_left FROM fk_repairs('label_uses');
SELECT count(*) AS orphans_left FROM fk_orphans('label_uses');
SELECT count(*) AS labels, count(*) FILTER (WHERE name = 'red') AS red FROM labels;
-- The children did not change; a second run changes nothing.
SELECT count(*) AS rows_changed FROM (
    (SELECT * FROM before EXCEPT SELECT * FROM label_uses)
    UNION ALL (SELECT * FROM label_uses EXCEPT SELECT * FROM before)) d;
SELECT statement FROM first_run \gexec
SELECT count(*) AS labels FROM labels;
UPDATE pg_constraint SET convalidated = false
WHERE contype = 'f' AND conrelid = 'label_uses'::regclass;
ALTER TABLE label_uses VALIDATE CONSTRAINT label_uses_label_fkey;

SET client_min_messages = warning;
DROP SCHEMA fkd_collations, fkd_collations_evil CASCADE;
RESET client_min_messages;
