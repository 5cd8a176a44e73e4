-- fk_constraints(): one row per foreign key, from the catalogs.
CREATE SCHEMA fkd_constraints;
SET search_path = fkd_constraints, public;

CREATE TABLE parents (a int, b text, PRIMARY KEY (a, b));
CREATE TABLE children (
    id int PRIMARY KEY,
    b text,
    a int,
    CONSTRAINT children_full FOREIGN KEY (a, b) REFERENCES parents (a, b)
        MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT children_simple FOREIGN KEY (a, b) REFERENCES parents
        ON UPDATE RESTRICT ON DELETE SET DEFAULT);
CREATE INDEX children_b_a ON children (b, a);
CREATE TABLE notes (id int PRIMARY KEY, child_id int REFERENCES children ON DELETE CASCADE);

SELECT * FROM fk_constraints('children');
SELECT constraint_name, child_columns, parent_columns, child_index FROM fk_constraints('notes');

-- A partial index does not serve the key; an index led by the key does.
CREATE INDEX notes_partial ON notes (child_id) WHERE child_id > 0;
SELECT child_index FROM fk_constraints('notes');
CREATE INDEX notes_child_id_id ON notes (child_id, id);
SELECT child_index FROM fk_constraints('notes');

-- enforcement: are the key's RI triggers going to fire in an ordinary session?
ALTER TABLE notes DISABLE TRIGGER ALL;
SELECT constraint_name, enforcement FROM fk_constraints('notes');
ALTER TABLE notes ENABLE TRIGGER ALL;
ALTER TABLE children DISABLE TRIGGER ALL;  -- the parent side of notes' key
SELECT constraint_name, enforcement FROM fk_constraints('notes');
ALTER TABLE children ENABLE TRIGGER ALL;
SELECT tgname AS replica_trigger FROM pg_trigger
WHERE tgrelid = 'notes'::regclass AND tgisinternal LIMIT 1 \gset
ALTER TABLE notes ENABLE REPLICA TRIGGER :"replica_trigger";
SELECT constraint_name, enforcement FROM fk_constraints('notes');
ALTER TABLE notes ENABLE TRIGGER :"replica_trigger";
SELECT constraint_name, enforcement FROM fk_constraints('notes');
-- A leaf without its check trigger (PostgreSQL before 15.9, after DETACH
-- PARTITION) is not enforced: simulated in a transaction that is rolled back.
BEGIN;
DELETE FROM pg_trigger WHERE tgrelid = 'notes'::regclass AND tgisinternal;
SELECT constraint_name, enforcement FROM fk_constraints('notes');
ROLLBACK;

-- Bad input: PostgreSQL's own errors for a missing table; no keys, no rows.
\set VERBOSITY terse
SELECT * FROM fk_constraints('no_such_table');
SELECT * FROM fk_orphans('no_such_table');
SELECT * FROM fk_constraints(4294967295);
\echo :LAST_ERROR_SQLSTATE
CREATE VIEW a_view AS SELECT * FROM children;
CREATE SEQUENCE a_sequence;
CREATE FOREIGN DATA WRAPPER fkd_dummy_fdw;
CREATE SERVER fkd_dummy_server FOREIGN DATA WRAPPER fkd_dummy_fdw;
CREATE FOREIGN TABLE a_foreign_table (a int) SERVER fkd_dummy_server;
SELECT count(*) FROM fk_constraints('a_view');
SELECT count(*) FROM fk_orphans('a_view');
SELECT count(*) FROM fk_orphans('a_sequence');
SELECT count(*) FROM fk_orphans('a_foreign_table');
SELECT count(*) FROM fk_orphans('parents');
SELECT count(*) FROM fk_orphans(NULL, NULL);
SELECT count(*) FROM fk_orphans('children', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM fk_orphans('children', -5);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM fk_orphans() WHERE false;

-- Privileges: a table the caller cannot read is an error; in a whole-database
-- call it is not shown.
CREATE ROLE regress_fkd_reader;
GRANT USAGE ON SCHEMA fkd_constraints TO regress_fkd_reader;
GRANT SELECT ON notes TO regress_fkd_reader;
SET ROLE regress_fkd_reader;
SELECT * FROM fk_orphans('children');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM fk_constraints('children');
\echo :LAST_ERROR_SQLSTATE
-- notes is readable but its parent is not.
SELECT * FROM fk_orphans('notes');
\echo :LAST_ERROR_SQLSTATE
SELECT constraint_name FROM fk_constraints() WHERE child_table::text LIKE 'fkd_constraints.%' OR child_table::text IN ('notes', 'children');
SELECT count(*) FROM fk_orphans() WHERE child_table = 'notes'::regclass;
RESET ROLE;

-- Row-level security that would hide parent rows: never false orphans.
GRANT SELECT ON children TO regress_fkd_reader;
ALTER TABLE children ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_some ON children USING (id < 0);
SET ROLE regress_fkd_reader;
SELECT * FROM fk_orphans('notes');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM fk_orphans() WHERE child_table = 'notes'::regclass;
RESET ROLE;
\set VERBOSITY default

SET client_min_messages = warning;
DROP SCHEMA fkd_constraints CASCADE;
DROP SERVER fkd_dummy_server;
DROP FOREIGN DATA WRAPPER fkd_dummy_fdw;
DROP ROLE regress_fkd_reader;
RESET client_min_messages;
