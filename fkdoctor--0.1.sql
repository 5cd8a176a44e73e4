-- fkdoctor: find, explain and repair foreign-key orphan rows.
\echo Use "CREATE EXTENSION fkdoctor" to load this file. \quit

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
    OUT child_index regclass)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_constraints'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_constraints(regclass) IS
'one row per foreign key of rel (the referencing table), or of every table the caller may read';

CREATE FUNCTION fk_orphans(
    rel regclass DEFAULT NULL,
    max_rows bigint DEFAULT NULL,
    OUT constraint_name name,
    OUT child_table regclass,
    OUT parent_table regclass,
    OUT child_ctid tid,
    OUT child_key jsonb,
    OUT missing_key jsonb)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_orphans'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_orphans(regclass, bigint) IS
'one row per child row whose referenced parent row does not exist';

