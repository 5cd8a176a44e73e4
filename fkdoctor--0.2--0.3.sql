-- fkdoctor 0.2 -> 0.3. A new installation of 0.3 runs 0.1, 0.1--0.2 and then
-- this script.
\echo Use "ALTER EXTENSION fkdoctor UPDATE TO '0.3'" to load this file. \quit

-- An assertion has an effect (its error): a STABLE function's call may be
-- skipped, as in SELECT count(*) FROM (SELECT fk_assert_clean()) s.
ALTER FUNCTION fk_assert_clean(regclass) VOLATILE;

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
    OUT note text)
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
