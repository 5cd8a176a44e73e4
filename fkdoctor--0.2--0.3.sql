-- fkdoctor 0.2 -> 0.3. A new installation of 0.3 runs 0.1, 0.1--0.2 and then
-- this script.
\echo Use "ALTER EXTENSION fkdoctor UPDATE TO '0.3'" to load this file. \quit

-- fk_assert_clean gains a threshold, so that a pipeline can fail only when
-- things get worse. An assertion has an effect (its error): VOLATILE, since
-- a STABLE function's call may be skipped, as in
-- SELECT count(*) FROM (SELECT fk_assert_clean()) s.
DROP FUNCTION fk_assert_clean(regclass);

CREATE FUNCTION fk_assert_clean(rel regclass DEFAULT NULL, max_orphans bigint DEFAULT 0)
RETURNS void
AS 'MODULE_PATHNAME', 'fk_assert_clean'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_assert_clean(regclass, bigint) IS
'raises error 23503, as PostgreSQL would, when the foreign keys of rel have more than max_orphans orphan rows in all';

-- fk_repairs says what each row is (step: repair, enable_trigger, validate)
-- apart from the strategy, which only a repair has.
DROP FUNCTION fk_repairs(regclass, text);
CREATE FUNCTION fk_repairs(
    rel regclass DEFAULT NULL,
    strategy text DEFAULT NULL,
    OUT constraint_name name,
    OUT child_table regclass,
    OUT step text,
    OUT strategy text,
    OUT statement text,
    OUT rows_affected bigint,
    OUT note text,
    OUT side_effects jsonb)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_repairs'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_repairs(regclass, text) IS
'the statements that repair the orphans of rel''s foreign keys, and make PostgreSQL enforce them again, in the order they must run';

-- PostgreSQL 18's kinds of key: fk_constraints gains period_column (a
-- temporal key's PERIOD column on the child, NULL for any other key), and
-- its enforcement can say 'not enforced'. A function's OUT columns cannot
-- change in place.
DROP FUNCTION fk_constraints(regclass);
CREATE FUNCTION fk_constraints(
    rel regclass DEFAULT NULL,
    OUT constraint_name name,
    OUT child_table regclass,
    OUT child_columns name[],
    OUT parent_table regclass,
    OUT parent_columns name[],
    OUT match_type text,
    OUT on_update text,
    OUT on_delete text,
    OUT validated boolean,
    OUT "deferrable" boolean,
    OUT enforcement text,
    OUT child_index regclass,
    OUT period_column name)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_constraints'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_constraints(regclass) IS
'one row per foreign key of rel (the referencing table), or of every table the caller may read';

-- fk_orphans says where each orphan of a Citus table lives: child_shard
-- (pg_dist_shard.shardid) and child_node (host:port of the shard's one
-- placement; NULL for a reference table, which has a copy on every node).
-- NULL for a table that is not a Citus table. OUT columns cannot change in
-- place: the function is made again.
DROP FUNCTION fk_orphans(regclass, bigint);

CREATE FUNCTION fk_orphans(
    rel regclass DEFAULT NULL,
    max_rows bigint DEFAULT NULL,
    OUT constraint_name name,
    OUT child_table regclass,
    OUT parent_table regclass,
    OUT child_ctid tid,
    OUT child_key jsonb,
    OUT missing_key jsonb,
    OUT child_shard bigint,
    OUT child_node text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_orphans'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_orphans(regclass, bigint) IS
'one row per child row whose referenced parent row does not exist';

-- Quarantine: fk_repairs(rel, 'quarantine') moves orphan rows (and the rows
-- ON DELETE CASCADE would remove with them) here, and fk_restore(batch)
-- puts a batch back. The rows belong to the extension, so pg_dump keeps
-- them (the table's rows, not its definition).
CREATE SEQUENCE fk_quarantine_batch_seq;

CREATE TABLE fk_quarantine (
    batch bigint NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    quarantined_by name NOT NULL DEFAULT CURRENT_USER,
    child_table regclass NOT NULL,
    constraint_name name NOT NULL,
    -- 0: an orphan of constraint_name; 1 and more: a row removed with the
    -- rows of the level above, through constraint_name (ON DELETE CASCADE).
    level int NOT NULL DEFAULT 0,
    missing_key jsonb,
    -- The row as its table's record text output, written by fk_row_text()
    -- under fixed settings, so that its text input gives back the same row.
    row_data text NOT NULL
);
CREATE INDEX fk_quarantine_batch_idx ON fk_quarantine (batch);

SELECT pg_catalog.pg_extension_config_dump('fk_quarantine', '');
SELECT pg_catalog.pg_extension_config_dump('fk_quarantine_batch_seq', '');

-- Who may see and write which rows: a role sees the rows of tables it may
-- read, and writes (as a quarantine statement does, run as the table's
-- owner) only rows of tables it owns. The extension's owner and superusers
-- see everything; fk_restore, which needs a superuser, deletes.
ALTER TABLE fk_quarantine ENABLE ROW LEVEL SECURITY;
CREATE POLICY fk_quarantine_read ON fk_quarantine FOR SELECT
    USING (pg_catalog.has_table_privilege(child_table, 'SELECT'));
CREATE POLICY fk_quarantine_write ON fk_quarantine FOR INSERT
    WITH CHECK (pg_catalog.pg_has_role(
        (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = child_table), 'USAGE'));
GRANT SELECT, INSERT ON fk_quarantine TO PUBLIC;
GRANT USAGE ON SEQUENCE fk_quarantine_batch_seq TO PUBLIC;

COMMENT ON TABLE fk_quarantine IS
'orphan rows moved out of their tables by fk_repairs(rel, ''quarantine''), with the rows ON DELETE CASCADE removed with them, until fk_restore(batch) puts them back';

-- A row as text, under settings its text input reads back the same way in
-- any session: ISO dates, postgres intervals, shortest-exact floats, UTC,
-- C money. Runs as its caller (the quarantine statement's role, the table's
-- owner), since a type's output function is the owner's code.
CREATE FUNCTION fk_row_text(anyelement) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 3
SET TimeZone = 'UTC'
SET lc_monetary = 'C'
SET bytea_output = 'hex'
AS 'SELECT $1::text';

CREATE FUNCTION fk_restore(batch bigint)
RETURNS bigint
AS 'MODULE_PATHNAME', 'fk_restore'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_restore(bigint) IS
'puts the rows of a quarantine batch back into their tables, exactly as they were, and returns how many';

-- Checking a key before it is declared: the rows ADD FOREIGN KEY would
-- reject, judged with the operators it would choose.
CREATE FUNCTION fk_check_key(
    child regclass,
    child_columns name[],
    parent regclass,
    parent_columns name[],
    match_type text DEFAULT 'SIMPLE',
    max_rows bigint DEFAULT NULL,
    OUT constraint_name name,
    OUT child_table regclass,
    OUT parent_table regclass,
    OUT child_ctid tid,
    OUT child_key jsonb,
    OUT missing_key jsonb,
    OUT child_shard bigint,
    OUT child_node text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_check_key'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_check_key(regclass, name[], regclass, name[], text, bigint) IS
'one row per child row that the foreign key (child_columns) REFERENCES parent (parent_columns) would reject if it were added now';
