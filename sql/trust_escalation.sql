-- A table owner's code never runs with the caller's rights. The superuser
-- checks the tables of an ordinary role, regress_fkd_attacker, whose casts,
-- json conversion, column default and domain check each try to make their
-- owner a superuser. fkdoctor runs every query that can evaluate such code
-- as the table's owner (for a key's check, the child's owner, the role
-- that declared the key) under SECURITY_RESTRICTED_OPERATION, and wraps the
-- statements it generates for \gexec in SET ROLE <owner> ... RESET ROLE.
-- So after every call: the attacker is no superuser, and every line of the
-- attacker's log says its code ran as the attacker.
CREATE ROLE regress_fkd_attacker NOSUPERUSER;
CREATE SCHEMA fkd_attack AUTHORIZATION regress_fkd_attacker;
SET ROLE regress_fkd_attacker;

-- Each attack function calls note(): it records who it runs as, and whether
-- it could make its owner a superuser. Names are schema-qualified: the code
-- runs with search_path = pg_catalog, pg_temp.
CREATE TABLE fkd_attack.log (fn text, run_as name, session_role name, escalated boolean);
CREATE FUNCTION fkd_attack.note(fn text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    escalated boolean;
BEGIN
    BEGIN
        ALTER ROLE regress_fkd_attacker SUPERUSER;
        escalated := true;
    EXCEPTION WHEN OTHERS THEN
        escalated := false;
    END;
    INSERT INTO fkd_attack.log VALUES (fn, current_user, session_user, escalated);
END $$;

-- (a) and (b): an enum with an implicit cast to int4, so that a key of
-- this type references an int4 column (PostgreSQL compares them with
-- int4 =, after the cast), and a cast to json that jsonb_build_object uses.
CREATE TYPE fkd_attack.num AS ENUM ('1', '2', '3', '7', '8');
CREATE FUNCTION fkd_attack.num_int(fkd_attack.num) RETURNS int4
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM fkd_attack.note('cast to int4');
    RETURN $1::text::int4;
END $$;
CREATE CAST (fkd_attack.num AS int4) WITH FUNCTION fkd_attack.num_int(fkd_attack.num) AS IMPLICIT;
CREATE FUNCTION fkd_attack.num_json(fkd_attack.num) RETURNS json
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM fkd_attack.note('cast to json');
    RETURN to_json($1::text);
END $$;
CREATE CAST (fkd_attack.num AS json) WITH FUNCTION fkd_attack.num_json(fkd_attack.num);

CREATE TABLE fkd_attack.p (id int4 PRIMARY KEY);
INSERT INTO fkd_attack.p VALUES (1), (2), (3);
-- The child's primary key is of the enum too: child_key goes through the
-- json cast as well.
CREATE TABLE fkd_attack.c (id fkd_attack.num PRIMARY KEY,
                           k fkd_attack.num REFERENCES fkd_attack.p (id));
INSERT INTO fkd_attack.c VALUES ('1', '1'), ('2', '2');

-- (c): a column default that calls the attacker's STABLE function, on a
-- plain NO ACTION integer key whose parent cannot take bare keys (a NOT
-- NULL column without default), so that fk_repairs() tries every strategy,
-- set_default's evaluation of the default among them.
CREATE FUNCTION fkd_attack.default_k() RETURNS int4
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM fkd_attack.note('default');
    RETURN 1;
END $$;
CREATE TABLE fkd_attack.dp (id int4 PRIMARY KEY, label text NOT NULL);
INSERT INTO fkd_attack.dp VALUES (1, 'one');
CREATE TABLE fkd_attack.dc (id int4 PRIMARY KEY,
                            k int4 DEFAULT fkd_attack.default_k() REFERENCES fkd_attack.dp);

-- (d): a domain CHECK on the parent's key column, which the insert_parent
-- repair applies when it casts the orphans' keys to the parent's type.
CREATE FUNCTION fkd_attack.check_id(int4) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM fkd_attack.note('domain check');
    RETURN $1 > 0;
END $$;
CREATE DOMAIN fkd_attack.positive AS int4 CHECK (fkd_attack.check_id(VALUE));
CREATE TABLE fkd_attack.mp (id fkd_attack.positive PRIMARY KEY);
INSERT INTO fkd_attack.mp VALUES (1);
CREATE TABLE fkd_attack.mc (id int4 PRIMARY KEY, k int4 REFERENCES fkd_attack.mp);

-- A trigger on a child, which the delete repair's DELETE fires when the
-- superuser runs it with \gexec.
CREATE FUNCTION fkd_attack.on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM fkd_attack.note('trigger');
    RETURN OLD;
END $$;
CREATE TRIGGER watch BEFORE DELETE ON fkd_attack.dc
    FOR EACH ROW EXECUTE FUNCTION fkd_attack.on_delete();
RESET ROLE;

-- The orphans, written as a superuser would restore them.
SET session_replication_role = replica;
INSERT INTO fkd_attack.c VALUES ('7', '7'), ('8', '8');
INSERT INTO fkd_attack.dc VALUES (1, 1), (5, 5), (6, 6);
INSERT INTO fkd_attack.mc VALUES (1, 1), (4, 4);
RESET session_replication_role;
TRUNCATE fkd_attack.log;

-- What each check shows: the attacker is still no superuser, its code ran
-- (if at all) as no one else, and never could escalate.
CREATE FUNCTION pg_temp.verdict(OUT attacker_is_superuser boolean,
                                OUT ran_as_someone_else boolean, OUT escalated boolean)
LANGUAGE sql AS $$
    SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_fkd_attacker'),
           EXISTS (SELECT FROM fkd_attack.log WHERE run_as <> 'regress_fkd_attacker'),
           EXISTS (SELECT FROM fkd_attack.log WHERE escalated)
$$;
-- The same, and then a clean slate for the next check (should the attacker
-- have got in, it is demoted again, so that each check counts alone).
CREATE FUNCTION pg_temp.verdict_and_reset(OUT attacker_is_superuser boolean,
                                          OUT ran_as_someone_else boolean, OUT escalated boolean)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT * INTO attacker_is_superuser, ran_as_someone_else, escalated FROM pg_temp.verdict();
    ALTER ROLE regress_fkd_attacker NOSUPERUSER;
    TRUNCATE fkd_attack.log;
END $$;
-- Which attack functions ran, for the checks where the attack must have
-- been reached for the test to mean anything.
CREATE FUNCTION pg_temp.reached(fn text) RETURNS boolean
LANGUAGE sql AS $$ SELECT EXISTS (SELECT FROM fkd_attack.log l WHERE l.fn = $1) $$;

-- (a), (b): fk_orphans() on the enum key: the anti-join casts every child
-- key to int4, jsonb_build_object casts missing_key and child_key to json.
-- The orphans are still found.
SELECT constraint_name, child_table, child_key, missing_key
FROM fk_orphans('fkd_attack.c') ORDER BY missing_key::text;
SELECT pg_temp.reached('cast to int4') AS cast_ran, pg_temp.reached('cast to json') AS json_ran;
SELECT * FROM pg_temp.verdict_and_reset();

-- fk_orphans() with max_rows, and of the whole database.
SELECT count(*) FROM fk_orphans('fkd_attack.c', 1);
SELECT * FROM pg_temp.verdict_and_reset();
SELECT constraint_name, child_table, missing_key FROM fk_orphans()
WHERE child_table::text LIKE 'fkd_attack.%' ORDER BY 1, 2, 3::text;
SELECT * FROM pg_temp.verdict_and_reset();

-- (a): fk_audit(), with no orphan needed (the clean key is cast too).
SELECT constraint_name, rows_checked, orphan_rows, missing_keys, status
FROM fk_audit('fkd_attack.c');
SELECT pg_temp.reached('cast to int4') AS cast_ran;
SELECT * FROM pg_temp.verdict_and_reset();
DELETE FROM fkd_attack.c WHERE id::text IN ('7', '8');
SELECT constraint_name, rows_checked, orphan_rows, status FROM fk_audit('fkd_attack.c');
SELECT pg_temp.reached('cast to int4') AS cast_ran;
SELECT * FROM pg_temp.verdict_and_reset();
SET session_replication_role = replica;
INSERT INTO fkd_attack.c VALUES ('7', '7'), ('8', '8');
RESET session_replication_role;
TRUNCATE fkd_attack.log;
SELECT constraint_name, child_table, rows_checked, orphan_rows, missing_keys, status
FROM fk_audit() WHERE child_table::text LIKE 'fkd_attack.%' ORDER BY 1, 2;
SELECT * FROM pg_temp.verdict_and_reset();

-- fk_audit_record(): the same audit, written to the history.
SELECT fk_audit_record() > 0 AS recorded;
SELECT child_table, constraint_name, orphan_rows, status FROM fk_audit_log
WHERE run_id = (SELECT max(run_id) FROM fk_audit_run) AND child_table LIKE 'fkd_attack.%'
ORDER BY 1, 2;
DELETE FROM fk_audit_run WHERE run_id = (SELECT max(run_id) FROM fk_audit_run);
SELECT * FROM pg_temp.verdict_and_reset();

-- fk_assert_clean() still raises on the orphans (the error rolls back
-- whatever the attacker's code did, so this shows only the result) ...
\set VERBOSITY terse
SELECT fk_assert_clean('fkd_attack.c');
SELECT fk_assert_clean();
\set VERBOSITY default
SELECT * FROM pg_temp.verdict_and_reset();
-- ... and on a clean table it returns, having cast every key as the attacker.
CREATE TABLE fkd_attack.c_orphans AS SELECT * FROM fkd_attack.c WHERE id::text IN ('7', '8');
DELETE FROM fkd_attack.c WHERE id::text IN ('7', '8');
TRUNCATE fkd_attack.log;
SELECT fk_assert_clean('fkd_attack.c');
SELECT pg_temp.reached('cast to int4') AS cast_ran;
SELECT * FROM pg_temp.verdict_and_reset();
SET session_replication_role = replica;
INSERT INTO fkd_attack.c SELECT * FROM fkd_attack.c_orphans;
RESET session_replication_role;
DROP TABLE fkd_attack.c_orphans;
TRUNCATE fkd_attack.log;

-- fk_repairs() with each strategy on each table, and with NULL: (a) in the
-- counts, (c) in set_default's look at the defaults (tried for the NO
-- ACTION key dc, since insert_parent cannot apply to dp), (d) in
-- insert_parent's cast to the domain.
SELECT child_table, strategy, rows_affected, note IS NOT NULL AS has_note
FROM fk_repairs('fkd_attack.c') ORDER BY 1, 2;
SELECT * FROM pg_temp.verdict_and_reset();
SELECT child_table, strategy, rows_affected, note LIKE '%a person must choose%' AS by_hand,
       note LIKE '%set_default%' AS set_default_works
FROM fk_repairs('fkd_attack.dc');
SELECT pg_temp.reached('default') AS default_ran;
SELECT * FROM pg_temp.verdict_and_reset();
SELECT child_table, strategy, rows_affected FROM fk_repairs('fkd_attack.mc');
SELECT pg_temp.reached('domain check') AS domain_check_ran;
SELECT * FROM pg_temp.verdict_and_reset();
\set VERBOSITY terse
SELECT s.strategy AS requested, r.child_table, r.strategy, r.rows_affected
FROM (VALUES ('delete'), ('set_null'), ('set_default'), ('insert_parent')) s (strategy)
CROSS JOIN LATERAL fk_repairs('fkd_attack.dc', s.strategy) r
WHERE s.strategy <> 'insert_parent' ORDER BY 1, 2;
\set VERBOSITY default
SELECT pg_temp.reached('default') AS default_ran;
SELECT * FROM pg_temp.verdict_and_reset();
SELECT s.strategy AS requested, count(*) AS statements
FROM (VALUES ('delete'), ('set_null'), ('set_default'), ('insert_parent')) s (strategy)
CROSS JOIN LATERAL fk_repairs(NULL, s.strategy) r
WHERE r.child_table::text LIKE 'fkd_attack.%' GROUP BY 1 ORDER BY 1;
SELECT * FROM pg_temp.verdict_and_reset();
SELECT child_table, constraint_name, strategy, rows_affected FROM fk_repairs()
WHERE child_table::text LIKE 'fkd_attack.%' ORDER BY 1, 2;
SELECT * FROM pg_temp.verdict_and_reset();

-- fk_lint() and fk_constraints() read the catalogs only: nothing of the
-- attacker's runs, and certainly not as the superuser.
SELECT "check", child_table FROM fk_lint('fkd_attack.dc') ORDER BY 1, 2;
SELECT count(*) > 0 AS findings FROM fk_lint() WHERE child_table::text LIKE 'fkd_attack.%';
SELECT constraint_name, child_table, parent_table FROM fk_constraints('fkd_attack.c');
SELECT count(*) AS keys FROM fk_constraints() WHERE child_table::text LIKE 'fkd_attack.%';
SELECT * FROM pg_temp.verdict_and_reset();

-- The generated statements, run by the superuser with \gexec: each is
-- wrapped in SET ROLE <owner> ... RESET ROLE, so the DELETE's trigger, the
-- UPDATE's default, the INSERT's domain check and the casts in every WHERE
-- run as the attacker.
SELECT strategy, statement LIKE 'SET ROLE %' AS as_owner,
       statement LIKE '%RESET ROLE' AS role_reset
FROM fk_repairs('fkd_attack.dc', 'delete') WHERE statement IS NOT NULL;
-- Every repair statement fkdoctor writes for the attacker's tables is so
-- wrapped.
SELECT s.strategy AS requested, count(r.statement) AS statements,
       count(*) FILTER (WHERE r.statement NOT LIKE 'SET ROLE %') AS unwrapped
FROM (VALUES ('delete'), ('set_null'), ('set_default'), ('insert_parent')) s (strategy)
CROSS JOIN LATERAL fk_repairs(NULL, s.strategy) r
WHERE r.child_table::text LIKE 'fkd_attack.%' GROUP BY 1 ORDER BY 1;
TRUNCATE fkd_attack.log;
-- (\gexec's output, which depends on the statements' exact text, is not shown.)
\set ECHO none
\o /dev/null
SELECT statement FROM fk_repairs('fkd_attack.dc', 'delete') WHERE statement IS NOT NULL \gexec
\o
\set ECHO all
SELECT current_user = session_user AS role_reset, count(*) AS dc_orphans_left
FROM fkd_attack.dc WHERE k NOT IN (SELECT id FROM fkd_attack.dp);
SELECT pg_temp.reached('trigger') AS trigger_ran;
SELECT * FROM pg_temp.verdict_and_reset();
SET session_replication_role = replica;
INSERT INTO fkd_attack.dc VALUES (5, 5), (6, 6);
RESET session_replication_role;
TRUNCATE fkd_attack.log;
\set ECHO none
\o /dev/null
SELECT statement FROM fk_repairs('fkd_attack.dc', 'set_default') WHERE statement IS NOT NULL \gexec
\o
\set ECHO all
SELECT current_user = session_user AS role_reset, count(*) AS dc_orphans_left
FROM fkd_attack.dc WHERE k NOT IN (SELECT id FROM fkd_attack.dp);
SELECT pg_temp.reached('default') AS default_ran;
SELECT * FROM pg_temp.verdict_and_reset();
\set ECHO none
\o /dev/null
SELECT statement FROM fk_repairs('fkd_attack.mc', 'insert_parent') WHERE statement IS NOT NULL \gexec
\o
\set ECHO all
SELECT current_user = session_user AS role_reset, array_agg(id ORDER BY id) AS mp_ids FROM fkd_attack.mp;
SELECT pg_temp.reached('domain check') AS domain_check_ran;
SELECT * FROM pg_temp.verdict_and_reset();
\set ECHO none
\o /dev/null
SELECT statement FROM fk_repairs('fkd_attack.c', 'delete') WHERE statement IS NOT NULL \gexec
\o
\set ECHO all
SELECT current_user = session_user AS role_reset, array_agg(id ORDER BY id) AS c_ids FROM fkd_attack.c;
SELECT pg_temp.reached('cast to int4') AS cast_ran;
SELECT * FROM pg_temp.verdict_and_reset();
-- The lint fixes run too, without error, whatever their form.
\set ECHO none
\o /dev/null
SELECT fix FROM fk_lint() WHERE fix IS NOT NULL AND child_table::text LIKE 'fkd_attack.%'
ORDER BY "check" <> 'duplicate', 1 \gexec
\o
\set ECHO all
SELECT count(*) AS lint_fixes_left FROM fk_lint()
WHERE fix IS NOT NULL AND child_table::text LIKE 'fkd_attack.%';
SELECT * FROM pg_temp.verdict_and_reset();
-- After all that, the orphans are gone and the attacker never got in.
SELECT count(*) AS orphans_left FROM fk_orphans() WHERE child_table::text LIKE 'fkd_attack.%';
SELECT * FROM pg_temp.verdict_and_reset();
SELECT fk_assert_clean();
SELECT * FROM pg_temp.verdict();

SET client_min_messages = warning;
DROP SCHEMA fkd_attack CASCADE;
DROP ROLE regress_fkd_attacker;
RESET client_min_messages;
