-- An owner's code that merely raises the SQLSTATE of a cancel (57014,
-- query_canceled) or of a lock timeout (55P03, lock_not_available) ends
-- only its own key's check: that key is an 'error' row, and the audit goes
-- on with every other key, of every owner. A real cancel or timeout still
-- ends the whole call.
CREATE ROLE regress_fkd_mallory;
CREATE ROLE regress_fkd_bob;
CREATE SCHEMA fkd_cc_mallory AUTHORIZATION regress_fkd_mallory;
CREATE SCHEMA fkd_cc_bob AUTHORIZATION regress_fkd_bob;

SET ROLE regress_fkd_mallory;
-- Enums with an implicit cast to int4, so that their keys reference int4
-- columns and every check casts them: one cast "cancels" on 13, the other
-- "times out" on 13.
CREATE TYPE fkd_cc_mallory.canceller AS ENUM ('1', '2', '13');
CREATE FUNCTION fkd_cc_mallory.canceller_int(fkd_cc_mallory.canceller) RETURNS int4
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF $1::text = '13' THEN
        RAISE EXCEPTION 'not a real cancel' USING ERRCODE = 'query_canceled';
    END IF;
    RETURN $1::text::int4;
END $$;
CREATE CAST (fkd_cc_mallory.canceller AS int4)
    WITH FUNCTION fkd_cc_mallory.canceller_int(fkd_cc_mallory.canceller) AS IMPLICIT;
CREATE TYPE fkd_cc_mallory.locker AS ENUM ('1', '2', '13');
CREATE FUNCTION fkd_cc_mallory.locker_int(fkd_cc_mallory.locker) RETURNS int4
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF $1::text = '13' THEN
        RAISE EXCEPTION 'not a real lock timeout' USING ERRCODE = 'lock_not_available';
    END IF;
    RETURN $1::text::int4;
END $$;
CREATE CAST (fkd_cc_mallory.locker AS int4)
    WITH FUNCTION fkd_cc_mallory.locker_int(fkd_cc_mallory.locker) AS IMPLICIT;

CREATE TABLE fkd_cc_mallory.parent (id int4 PRIMARY KEY);
INSERT INTO fkd_cc_mallory.parent VALUES (1), (2);
-- The fake cancel shares its table with an honest integer key (checked in
-- memory) that has an orphan.
CREATE TABLE fkd_cc_mallory.cancels (
    id int PRIMARY KEY,
    k fkd_cc_mallory.canceller CONSTRAINT cancels_fake REFERENCES fkd_cc_mallory.parent (id),
    n int CONSTRAINT cancels_honest REFERENCES fkd_cc_mallory.parent (id));
CREATE TABLE fkd_cc_mallory.locks (
    id int PRIMARY KEY,
    k fkd_cc_mallory.locker CONSTRAINT locks_fake REFERENCES fkd_cc_mallory.parent (id));
CREATE TABLE fkd_cc_mallory.plain (
    id int PRIMARY KEY,
    k int CONSTRAINT plain_k REFERENCES fkd_cc_mallory.parent (id));

SET ROLE regress_fkd_bob;
CREATE TABLE fkd_cc_bob.customers (id int PRIMARY KEY, code text UNIQUE);
INSERT INTO fkd_cc_bob.customers VALUES (1, 'a'), (2, 'b');
CREATE TABLE fkd_cc_bob.orders (
    id int PRIMARY KEY,
    customer_id int CONSTRAINT orders_customer REFERENCES fkd_cc_bob.customers,
    customer_code text CONSTRAINT orders_code REFERENCES fkd_cc_bob.customers (code));
CREATE TABLE fkd_cc_bob.clean (
    id int PRIMARY KEY,
    customer_id int CONSTRAINT clean_customer REFERENCES fkd_cc_bob.customers);
INSERT INTO fkd_cc_bob.clean VALUES (1, 1), (2, 2);
RESET ROLE;

-- The rows, orphans among them, as a superuser would restore them (the RI
-- check would run the casts).
SET session_replication_role = replica;
INSERT INTO fkd_cc_mallory.cancels VALUES (1, '1', 1), (2, '13', 2), (3, '2', 9);
INSERT INTO fkd_cc_mallory.locks VALUES (1, '1'), (2, '13');
INSERT INTO fkd_cc_mallory.plain VALUES (1, 1), (2, 7), (3, 8);
INSERT INTO fkd_cc_bob.orders VALUES (1, 1, 'a'), (2, 5, 'b'), (3, 6, 'zz'), (4, 6, NULL);
RESET session_replication_role;

-- The whole database: every key is reported; the two fake ones as errors
-- with their own message.
SELECT child_table, constraint_name,
       CASE WHEN status <> 'error' THEN rows_checked END AS rows_checked,
       CASE WHEN status <> 'error' THEN orphan_rows END AS orphan_rows,
       CASE WHEN status <> 'error' THEN missing_keys END AS missing_keys, status,
       CASE WHEN status = 'error' THEN diagnosis LIKE '%not a real %' END AS own_message
FROM fk_audit() WHERE child_table::text LIKE 'fkd_cc_%'
ORDER BY child_table::text, constraint_name;
\echo :LAST_ERROR_SQLSTATE

-- A named table: the honest key of the same table is still checked.
SELECT constraint_name, orphan_rows, status FROM fk_audit('fkd_cc_mallory.cancels') ORDER BY 1;
SELECT constraint_name, orphan_rows, status FROM fk_audit('fkd_cc_mallory.locks');

-- fk_audit_record() records the run: the fake codes end nothing there either.
SELECT fk_audit_record() > 0 AS recorded;
SELECT child_table, constraint_name, orphan_rows, status FROM fk_audit_log
WHERE run_id = (SELECT max(run_id) FROM fk_audit_run) AND child_table LIKE 'fkd_cc_%'
ORDER BY 1, 2;
DELETE FROM fk_audit_run WHERE run_id = (SELECT max(run_id) FROM fk_audit_run);

-- A real statement_timeout, landing in an owner's code, still ends the
-- whole audit with 57014 and no rows.
SET ROLE regress_fkd_mallory;
CREATE TYPE fkd_cc_mallory.sleeper AS ENUM ('1');
CREATE FUNCTION fkd_cc_mallory.sleeper_int(fkd_cc_mallory.sleeper) RETURNS int4
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM pg_catalog.pg_sleep(2);
    RETURN 1;
END $$;
CREATE CAST (fkd_cc_mallory.sleeper AS int4)
    WITH FUNCTION fkd_cc_mallory.sleeper_int(fkd_cc_mallory.sleeper) AS IMPLICIT;
CREATE TABLE fkd_cc_mallory.sleeps (
    id int PRIMARY KEY,
    k fkd_cc_mallory.sleeper REFERENCES fkd_cc_mallory.parent (id));
RESET ROLE;
SET session_replication_role = replica;
INSERT INTO fkd_cc_mallory.sleeps VALUES (1, '1');
RESET session_replication_role;
\set VERBOSITY terse
SET statement_timeout = '200ms';
SELECT constraint_name, status FROM fk_audit('fkd_cc_mallory.sleeps');
RESET statement_timeout;
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE

SET client_min_messages = warning;
DROP SCHEMA fkd_cc_mallory, fkd_cc_bob CASCADE;
DROP ROLE regress_fkd_mallory, regress_fkd_bob;
RESET client_min_messages;
