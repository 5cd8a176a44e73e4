-- fkdoctor 0.1 -> 0.2: repairs, the audit and its history, lint and the
-- assertion. A new installation of 0.2 runs 0.1 and then this script.
\echo Use "ALTER EXTENSION fkdoctor UPDATE TO '0.2'" to load this file. \quit

CREATE FUNCTION fk_repairs(
    rel regclass DEFAULT NULL,
    strategy text DEFAULT NULL,
    OUT constraint_name name,
    OUT child_table regclass,
    OUT strategy text,
    OUT statement text,
    OUT rows_affected bigint,
    OUT note text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_repairs'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_repairs(regclass, text) IS
'the statements that repair the orphans of rel''s foreign keys, in the order they must run';

CREATE FUNCTION fk_audit(
    rel regclass DEFAULT NULL,
    OUT constraint_name name,
    OUT child_table regclass,
    OUT parent_table regclass,
    OUT rows_checked bigint,
    OUT orphan_rows bigint,
    OUT missing_keys bigint,
    OUT status text,
    OUT diagnosis text,
    OUT advice text,
    OUT elapsed_ms double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_audit'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_audit(regclass) IS
'one row per foreign key: rows checked, orphans, status, how the orphans could have got in, advice';

-- The audit history: fk_audit_record() adds a run and its rows.
CREATE TABLE fk_audit_run (
    run_id bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at timestamptz,
    database name NOT NULL DEFAULT pg_catalog.current_database(),
    keys_checked integer,
    keys_with_orphans integer);

CREATE TABLE fk_audit_log (
    run_id bigint NOT NULL REFERENCES fk_audit_run ON DELETE CASCADE,
    constraint_name name NOT NULL,
    child_table text NOT NULL,
    parent_table text NOT NULL,
    rows_checked bigint,
    orphan_rows bigint,
    missing_keys bigint,
    status text NOT NULL,
    diagnosis text,
    advice text,
    elapsed_ms double precision,
    PRIMARY KEY (run_id, child_table, constraint_name));

SELECT pg_catalog.pg_extension_config_dump('fk_audit_run', '');
SELECT pg_catalog.pg_extension_config_dump('fk_audit_run_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('fk_audit_log', '');

CREATE FUNCTION fk_audit_record() RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    run bigint;
BEGIN
    IF pg_is_in_recovery() THEN
        RAISE EXCEPTION 'fk_audit_record() cannot run on a standby: it writes the audit history'
            USING ERRCODE = 'read_only_sql_transaction',
                  HINT = 'Run fk_audit() here, or fk_audit_record() on the primary.';
    END IF;
    INSERT INTO @extschema@.fk_audit_run DEFAULT VALUES RETURNING run_id INTO run;
    INSERT INTO @extschema@.fk_audit_log
    SELECT run, a.constraint_name, a.child_table::text, a.parent_table::text, a.rows_checked,
           a.orphan_rows, a.missing_keys, a.status, a.diagnosis, a.advice, a.elapsed_ms
    FROM @extschema@.fk_audit() a;
    UPDATE @extschema@.fk_audit_run r
    SET finished_at = clock_timestamp(),
        keys_checked = (SELECT count(*) FROM @extschema@.fk_audit_log l WHERE l.run_id = run),
        keys_with_orphans = (SELECT count(*) FROM @extschema@.fk_audit_log l
                             WHERE l.run_id = run AND l.orphan_rows > 0)
    WHERE r.run_id = run;
    RETURN run;
END
$$;

COMMENT ON FUNCTION fk_audit_record() IS
'runs fk_audit() into fk_audit_run and fk_audit_log and returns the run id';

-- What changed between the last two finished runs: keys with new orphans,
-- repaired keys, more or fewer orphans, a changed status.
CREATE VIEW fk_audit_changes AS
WITH runs AS (
    SELECT run_id, pg_catalog.row_number() OVER (ORDER BY run_id DESC) AS age
    FROM @extschema@.fk_audit_run WHERE finished_at IS NOT NULL),
latest AS (SELECT l.* FROM @extschema@.fk_audit_log l JOIN runs USING (run_id) WHERE age = 1),
previous AS (SELECT l.* FROM @extschema@.fk_audit_log l JOIN runs USING (run_id) WHERE age = 2),
compared AS (
    SELECT coalesce(l.child_table, p.child_table) AS child_table,
           coalesce(l.constraint_name, p.constraint_name) AS constraint_name,
           p.run_id AS previous_run, l.run_id AS latest_run,
           p.orphan_rows AS orphans_before, l.orphan_rows AS orphans_now,
           p.status AS status_before, l.status AS status_now,
           CASE
               WHEN l.run_id IS NULL THEN 'key gone'
               WHEN coalesce(p.orphan_rows, 0) = 0 AND l.orphan_rows > 0 THEN 'new orphans'
               WHEN p.orphan_rows > 0 AND l.orphan_rows = 0 THEN 'repaired'
               WHEN l.orphan_rows > p.orphan_rows THEN 'more orphans'
               WHEN l.orphan_rows < p.orphan_rows THEN 'fewer orphans'
               WHEN l.status IS DISTINCT FROM p.status AND p.run_id IS NOT NULL THEN 'status changed'
           END AS change
    FROM latest l FULL JOIN previous p
      ON p.child_table = l.child_table AND p.constraint_name = l.constraint_name)
SELECT * FROM compared WHERE change IS NOT NULL;

CREATE FUNCTION fk_lint(
    rel regclass DEFAULT NULL,
    OUT "check" text,
    OUT constraint_name name,
    OUT child_table regclass,
    OUT parent_table regclass,
    OUT severity text,
    OUT detail text,
    OUT fix text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_lint'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_lint(regclass) IS
'foreign-key health from the catalogs alone: one row per finding, with a fix where one exists';

CREATE FUNCTION fk_assert_clean(rel regclass DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'fk_assert_clean'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_assert_clean(regclass) IS
'raises error 23503, as PostgreSQL would, when a foreign key of rel has orphans';
