-- The C++/PostgreSQL boundary: a PostgreSQL error raised while C++ objects
-- are alive, and a C++ exception thrown deep in the C++ code, both end the
-- query with a clean error and leave the backend serving the session.
CREATE SCHEMA fkd_errors;
SET search_path = fkd_errors, public;
CREATE TEMP TABLE session_backend AS SELECT pg_backend_pid() AS pid;

-- A key whose own operator raises an error on one value.
\i sql/fixtures/touchy_ops.sql
CREATE TABLE parent (id int NOT NULL);
CREATE UNIQUE INDEX parent_id_touchy ON parent (id touchy_ops);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
INSERT INTO parent VALUES (1), (2);
SET session_replication_role = replica;
INSERT INTO child VALUES (1, 1), (2, 5);
RESET session_replication_role;
SELECT constraint_name, missing_key FROM fk_orphans('child');

INSERT INTO parent VALUES (13);
\set VERBOSITY terse
SELECT constraint_name, missing_key FROM fk_orphans('child');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM fk_orphans();
\set VERBOSITY default
SELECT pid = pg_backend_pid() AS same_backend FROM session_backend;
-- Many such errors in a row leave nothing behind that breaks later calls.
DO $$
BEGIN
    FOR i IN 1..200 LOOP
        BEGIN
            PERFORM * FROM fk_orphans('fkd_errors.child');
        EXCEPTION WHEN data_exception THEN
            NULL;
        END;
    END LOOP;
END $$;
SELECT pid = pg_backend_pid() AS same_backend FROM session_backend;
DROP TABLE child, parent;

-- Plain tables for the rest.
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);
INSERT INTO parent VALUES (1);
SET session_replication_role = replica;
INSERT INTO child VALUES (1, 1), (2, 5);
RESET session_replication_role;
SELECT constraint_name, missing_key FROM fk_orphans('child');

-- A C++ exception thrown while the SPI session and the loaded keys are alive.
CREATE ROLE regress_fkd_error_role;
GRANT USAGE ON SCHEMA fkd_errors TO regress_fkd_error_role;
GRANT SELECT ON child, parent TO regress_fkd_error_role;
ALTER TABLE parent ENABLE ROW LEVEL SECURITY;
SET ROLE regress_fkd_error_role;
\set VERBOSITY terse
SELECT * FROM fk_orphans('child');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
RESET ROLE;
SELECT pid = pg_backend_pid() AS same_backend FROM session_backend;

-- Errors inside an explicit transaction: a savepoint rolls back cleanly.
BEGIN;
SAVEPOINT before_error;
SELECT count(*) FROM fk_orphans('child', -1);
ROLLBACK TO SAVEPOINT before_error;
SELECT constraint_name, missing_key FROM fk_orphans('child');
COMMIT;

SELECT pid = pg_backend_pid() AS same_backend FROM session_backend;

SET client_min_messages = warning;
DROP SCHEMA fkd_errors CASCADE;
DROP ROLE regress_fkd_error_role;
RESET client_min_messages;
