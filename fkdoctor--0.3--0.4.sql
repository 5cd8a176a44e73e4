-- fkdoctor 0.3 -> 0.4: checks of keys in memory run in parallel, and audits
-- fit a maintenance window. A new installation of 0.4 runs 0.1, 0.1--0.2,
-- 0.2--0.3 and then this script.
\echo Use "ALTER EXTENSION fkdoctor UPDATE TO '0.4'" to load this file. \quit

-- The functions a check's parallel scan runs in every process, in a schema
-- of their own: nobody but the extension's owner may create there, so no
-- one can slip in an overload that a check would call instead (checks run
-- them as the child table's owner). Not for use by hand.
CREATE SCHEMA fkdoctor_internal;
COMMENT ON SCHEMA fkdoctor_internal IS 'fkdoctor''s internal functions, called by its checks';
GRANT USAGE ON SCHEMA fkdoctor_internal TO PUBLIC;

CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_step(internal, bytea, VARIADIC "any")
RETURNS internal AS 'MODULE_PATHNAME', 'fk_orphan_tally_step'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_orphan_tally_combine'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'fk_orphan_tally_serialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_orphan_tally_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_result(internal)
RETURNS bigint[] AS 'MODULE_PATHNAME', 'fk_orphan_tally_result'
LANGUAGE C PARALLEL SAFE;

-- fk_orphan_tally(key_sets, key columns...): rows, then each key's orphan
-- rows and distinct missing keys, of the rows it is given.
CREATE AGGREGATE fkdoctor_internal.fk_orphan_tally(bytea, VARIADIC "any") (
    SFUNC = fkdoctor_internal.fk_orphan_tally_step,
    STYPE = internal,
    FINALFUNC = fkdoctor_internal.fk_orphan_tally_result,
    COMBINEFUNC = fkdoctor_internal.fk_orphan_tally_combine,
    SERIALFUNC = fkdoctor_internal.fk_orphan_tally_serialize,
    DESERIALFUNC = fkdoctor_internal.fk_orphan_tally_deserialize,
    PARALLEL = SAFE);

-- fk_row_is_orphan(key_sets, key columns...): whether the row's key is set
-- and missing from the one key set.
CREATE FUNCTION fkdoctor_internal.fk_row_is_orphan(bytea, VARIADIC "any")
RETURNS boolean AS 'MODULE_PATHNAME', 'fk_row_is_orphan'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION fkdoctor_internal.fk_orphan_locations_step(internal, bytea, bigint, oid, tid, VARIADIC "any")
RETURNS internal AS 'MODULE_PATHNAME', 'fk_orphan_locations_step'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_locations_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_orphan_locations_combine'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_locations_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'fk_orphan_locations_serialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_locations_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_orphan_locations_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_locations_result(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'fk_orphan_locations_result'
LANGUAGE C PARALLEL SAFE;

-- fk_orphan_locations(key_sets, most, tableoid, ctid, key columns...): where
-- the rows it is given that are orphans of the one key set are (at most
-- most of them, and whether there were more), as bytes.
CREATE AGGREGATE fkdoctor_internal.fk_orphan_locations(bytea, bigint, oid, tid, VARIADIC "any") (
    SFUNC = fkdoctor_internal.fk_orphan_locations_step,
    STYPE = internal,
    FINALFUNC = fkdoctor_internal.fk_orphan_locations_result,
    COMBINEFUNC = fkdoctor_internal.fk_orphan_locations_combine,
    SERIALFUNC = fkdoctor_internal.fk_orphan_locations_serialize,
    DESERIALFUNC = fkdoctor_internal.fk_orphan_locations_deserialize,
    PARALLEL = SAFE);

-- fk_key_bitmap(least, range, key): the bitmap of the keys it is given,
-- each in [least, least + range), as bytes (least, range, then the words):
-- how a parent's dense integer keys are read in parallel.
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_step(internal, bigint, bigint, VARIADIC "any")
RETURNS internal AS 'MODULE_PATHNAME', 'fk_key_bitmap_step'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_key_bitmap_combine'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'fk_key_bitmap_serialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_key_bitmap_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_result(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'fk_key_bitmap_result'
LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE fkdoctor_internal.fk_key_bitmap(bigint, bigint, VARIADIC "any") (
    SFUNC = fkdoctor_internal.fk_key_bitmap_step,
    STYPE = internal,
    FINALFUNC = fkdoctor_internal.fk_key_bitmap_result,
    COMBINEFUNC = fkdoctor_internal.fk_key_bitmap_combine,
    SERIALFUNC = fkdoctor_internal.fk_key_bitmap_serialize,
    DESERIALFUNC = fkdoctor_internal.fk_key_bitmap_deserialize,
    PARALLEL = SAFE);

-- fk_audit() for the rows in blocks [first_block, end_block) of one heap of
-- rel: rel itself, or one of its leaf partitions.
CREATE FUNCTION fk_audit_blocks(
    rel regclass,
    heap regclass,
    first_block bigint,
    end_block bigint,
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
AS 'MODULE_PATHNAME', 'fk_audit_blocks'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_audit_blocks(regclass, regclass, bigint, bigint) IS
'fk_audit(rel) for the rows in blocks first_block up to end_block (not included) of heap: rel, or a leaf partition of it';

-- What a budgeted audit is reading, shown in pg_stat_activity for other
-- sessions (fk_audit_progress); NULL: the statement alone again.
CREATE FUNCTION fk_audit_show_progress(progress jsonb) RETURNS void
AS 'MODULE_PATHNAME', 'fk_audit_show_progress'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_audit_show_progress(jsonb) IS
'a step of fk_audit_record(time_budget): shows its progress to other sessions, in this backend''s pg_stat_activity.query';

-- NULL: a run of fk_audit_record(), which checks every table whole.
ALTER TABLE fk_audit_run ADD COLUMN time_budget interval;

-- A pass of budgeted audits over one child table: its heaps (the table, or
-- its leaf partitions) and their sizes in blocks when the pass started, and
-- where the next range starts. Passes go with the run that started them.
CREATE TABLE fk_audit_pass (
    pass_id bigserial PRIMARY KEY,
    child_table text NOT NULL,
    heaps text[] NOT NULL,
    heap_blocks bigint[] NOT NULL,
    blocks_total bigint NOT NULL,
    blocks_done bigint NOT NULL DEFAULT 0,
    next_heap integer NOT NULL DEFAULT 1,
    next_block bigint NOT NULL DEFAULT 0,
    -- Measured on the last range read: sizes the next one.
    blocks_per_second double precision,
    last_range_blocks bigint,
    started_run bigint NOT NULL REFERENCES fk_audit_run ON DELETE CASCADE,
    started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_run bigint REFERENCES fk_audit_run ON DELETE CASCADE,
    finished_at timestamptz);
CREATE UNIQUE INDEX fk_audit_pass_unfinished_idx ON fk_audit_pass (child_table)
    WHERE finished_at IS NULL;

-- One row per key per range read: the range's counts, exact for the rows
-- it read. The ranges live and die with their pass.
CREATE TABLE fk_audit_range (
    pass_id bigint NOT NULL REFERENCES fk_audit_pass ON DELETE CASCADE,
    run_id bigint NOT NULL,
    constraint_name name NOT NULL,
    child_table text NOT NULL,
    parent_table text NOT NULL,
    heap text NOT NULL,
    first_block bigint NOT NULL,
    end_block bigint NOT NULL,
    rows_checked bigint,
    orphan_rows bigint,
    missing_keys bigint,
    status text NOT NULL,
    diagnosis text,
    advice text,
    elapsed_ms double precision,
    checked_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (pass_id, child_table, constraint_name, heap, first_block));
CREATE INDEX fk_audit_range_run_idx ON fk_audit_range (run_id);

-- A budgeted run's rows: what it read of a pass (pass_id), blocks_checked
-- of its blocks_total. NULL: the run checked the table whole.
ALTER TABLE fk_audit_log
    ADD COLUMN pass_id bigint,
    ADD COLUMN blocks_checked bigint,
    ADD COLUMN blocks_total bigint;

SELECT pg_catalog.pg_extension_config_dump('fk_audit_pass', '');
SELECT pg_catalog.pg_extension_config_dump('fk_audit_pass_pass_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('fk_audit_range', '');

-- Per key, what the ranges of a pass add up to: over the pass so far
-- (run_id NULL) and over what each run read of it (run_id set). Orphan
-- rows add up; distinct missing keys do not, so they are given only for a
-- single range.
CREATE VIEW fk_audit_range_totals AS
SELECT r.pass_id, r.run_id, r.child_table, r.constraint_name,
       pg_catalog.min(r.parent_table) AS parent_table,
       pg_catalog.count(*) AS ranges,
       pg_catalog.count(DISTINCT r.run_id) AS runs,
       pg_catalog.sum(r.end_block OPERATOR(pg_catalog.-) r.first_block)::bigint AS blocks_checked,
       pg_catalog.sum(r.rows_checked)::bigint AS rows_checked,
       CASE WHEN pg_catalog.count(r.orphan_rows) OPERATOR(pg_catalog.=) pg_catalog.count(*)
            THEN pg_catalog.sum(r.orphan_rows)::bigint END AS orphan_rows,
       CASE WHEN pg_catalog.count(*) OPERATOR(pg_catalog.=) 1
            THEN pg_catalog.min(r.missing_keys) END AS missing_keys,
       CASE WHEN pg_catalog.bool_or(r.status OPERATOR(pg_catalog.=) 'error') THEN 'error'
            WHEN pg_catalog.bool_or(r.status OPERATOR(pg_catalog.=) 'skipped') THEN 'skipped'
            WHEN pg_catalog.bool_or(r.status OPERATOR(pg_catalog.=) 'orphans') THEN 'orphans'
            ELSE 'ok' END AS status,
       pg_catalog.min(r.diagnosis) AS diagnosis,
       pg_catalog.min(r.advice) AS advice,
       pg_catalog.sum(r.elapsed_ms) AS elapsed_ms
FROM @extschema@.fk_audit_range r
GROUP BY GROUPING SETS ((r.pass_id, r.child_table, r.constraint_name),
                        (r.pass_id, r.child_table, r.constraint_name, r.run_id));

-- One row per key per finished pass. complete: the key was checked in
-- every range of the pass (not a key added while the pass went on), so its
-- totals are the table's at the pass's snapshots.
CREATE VIEW fk_audit_passes AS
SELECT p.pass_id, t.child_table, t.constraint_name, t.parent_table,
       p.started_run, p.finished_run, p.started_at, p.finished_at, t.runs, t.ranges,
       t.blocks_checked, p.blocks_total, t.rows_checked, t.orphan_rows, t.missing_keys,
       t.status, t.diagnosis,
       t.ranges OPERATOR(pg_catalog.=) (
           SELECT pg_catalog.count(DISTINCT (a.heap, a.first_block))
           FROM @extschema@.fk_audit_range a WHERE a.pass_id OPERATOR(pg_catalog.=) p.pass_id) AS complete
FROM @extschema@.fk_audit_pass p
JOIN @extschema@.fk_audit_range_totals t ON t.pass_id OPERATOR(pg_catalog.=) p.pass_id
WHERE p.finished_at IS NOT NULL AND t.run_id IS NULL;

-- Per key, its latest complete pass: when the table was last covered in
-- full by budgeted audits, and what that pass found.
CREATE VIEW fk_audit_coverage AS
SELECT DISTINCT ON (child_table, constraint_name)
       child_table, constraint_name, parent_table, pass_id, started_run, finished_run,
       started_at, finished_at, runs, ranges, blocks_total, rows_checked, orphan_rows,
       missing_keys, status, diagnosis
FROM @extschema@.fk_audit_passes
WHERE complete
ORDER BY child_table, constraint_name, finished_run DESC;

-- What changed, per key: its latest complete result against the one
-- before. A complete result is a key's row of a run that checked its table
-- whole, or the total of a complete pass, credited to the run that
-- finished it; what a budgeted run read of a pass it did not finish is no
-- result. A key is gone when the latest run that looked at its whole table
-- (any run without a budget, or the run that finished a pass of it) has no
-- result for it, and the one before did.
CREATE OR REPLACE VIEW fk_audit_changes AS
WITH results AS (
    SELECT l.child_table, l.constraint_name, l.run_id, l.orphan_rows, l.status
    FROM @extschema@.fk_audit_log l JOIN @extschema@.fk_audit_run r USING (run_id)
    WHERE r.finished_at IS NOT NULL AND l.pass_id IS NULL
    UNION ALL
    SELECT child_table, constraint_name, finished_run, orphan_rows, status
    FROM @extschema@.fk_audit_passes WHERE complete),
ranked AS (
    SELECT r.*,
           pg_catalog.row_number() OVER (PARTITION BY r.child_table, r.constraint_name
                                         ORDER BY r.run_id DESC) AS age,
           pg_catalog.max(r.run_id) OVER (PARTITION BY r.child_table, r.constraint_name) AS key_latest
    FROM results r),
looks AS (
    SELECT t.child_table, r.run_id
    FROM (SELECT DISTINCT child_table FROM results) t
    CROSS JOIN @extschema@.fk_audit_run r
    WHERE r.finished_at IS NOT NULL AND r.time_budget IS NULL
    UNION
    SELECT p.child_table, p.finished_run FROM @extschema@.fk_audit_pass p
    WHERE p.finished_at IS NOT NULL),
ranked_looks AS (
    SELECT l.*, pg_catalog.row_number() OVER (PARTITION BY l.child_table ORDER BY l.run_id DESC) AS age
    FROM looks l),
table_looks AS (
    SELECT child_table,
           pg_catalog.max(run_id) FILTER (WHERE age OPERATOR(pg_catalog.=) 1) AS latest_look,
           pg_catalog.max(run_id) FILTER (WHERE age OPERATOR(pg_catalog.=) 2) AS previous_look
    FROM ranked_looks GROUP BY child_table),
latest AS (
    SELECT r.* FROM ranked r JOIN table_looks t USING (child_table)
    WHERE r.age OPERATOR(pg_catalog.=) 1 AND r.run_id OPERATOR(pg_catalog.=) t.latest_look),
previous AS (
    SELECT r.* FROM ranked r JOIN table_looks t USING (child_table)
    WHERE CASE WHEN r.key_latest OPERATOR(pg_catalog.=) t.latest_look
               THEN r.age OPERATOR(pg_catalog.=) 2
               ELSE r.age OPERATOR(pg_catalog.=) 1 AND r.run_id OPERATOR(pg_catalog.=) t.previous_look END),
compared AS (
    SELECT coalesce(l.child_table, p.child_table) AS child_table,
           coalesce(l.constraint_name, p.constraint_name) AS constraint_name,
           p.run_id AS previous_run, l.run_id AS latest_run,
           p.orphan_rows AS orphans_before, l.orphan_rows AS orphans_now,
           p.status AS status_before, l.status AS status_now,
           CASE
               WHEN l.run_id IS NULL THEN 'key gone'
               WHEN coalesce(p.orphan_rows, 0) OPERATOR(pg_catalog.=) 0 AND l.orphan_rows OPERATOR(pg_catalog.>) 0 THEN 'new orphans'
               WHEN p.orphan_rows OPERATOR(pg_catalog.>) 0 AND l.orphan_rows OPERATOR(pg_catalog.=) 0 THEN 'repaired'
               WHEN l.orphan_rows OPERATOR(pg_catalog.>) p.orphan_rows THEN 'more orphans'
               WHEN l.orphan_rows OPERATOR(pg_catalog.<) p.orphan_rows THEN 'fewer orphans'
               WHEN l.status IS DISTINCT FROM p.status AND p.run_id IS NOT NULL THEN 'status changed'
           END AS change
    FROM latest l FULL JOIN previous p
      ON p.child_table OPERATOR(pg_catalog.=) l.child_table
     AND p.constraint_name OPERATOR(pg_catalog.=) l.constraint_name)
SELECT * FROM compared WHERE change IS NOT NULL;

-- The budgeted audits running now, one row per key of the table each is
-- reading: the range it reads and how far its pass has got. Read from
-- pg_stat_activity (fk_audit_show_progress), so a session sees the audits
-- whose queries it may see: its own role's, or all with pg_read_all_stats.
CREATE VIEW fk_audit_progress AS
WITH shown AS (
    SELECT a.pid, a.query_start,
           pg_catalog.split_part(pg_catalog.substr(a.query, 20), E'\n', 1) AS line
    FROM pg_catalog.pg_stat_activity a
    WHERE a.state OPERATOR(pg_catalog.=) 'active'
      AND a.query OPERATOR(pg_catalog.~~) 'fkdoctor progress: {%'),
progress AS (
    -- A flat object: complete when it ends in its brace (the activity may be cut short).
    SELECT pid, query_start,
           CASE WHEN pg_catalog.right(line, 1) OPERATOR(pg_catalog.=) '}' THEN line::pg_catalog.jsonb END AS p
    FROM shown)
SELECT g.pid, (g.p OPERATOR(pg_catalog.->>) 'run_id')::bigint AS run_id,
       (g.p OPERATOR(pg_catalog.->>) 'pass_id')::bigint AS pass_id,
       g.query_start AS run_started_at,
       (g.p OPERATOR(pg_catalog.->>) 'child_table')::pg_catalog.oid::pg_catalog.regclass AS child_table,
       c.conname AS constraint_name,
       (g.p OPERATOR(pg_catalog.->>) 'heap')::pg_catalog.oid::pg_catalog.regclass AS heap,
       (g.p OPERATOR(pg_catalog.->>) 'first_block')::bigint AS first_block,
       (g.p OPERATOR(pg_catalog.->>) 'end_block')::bigint AS end_block,
       (g.p OPERATOR(pg_catalog.->>) 'blocks_done')::bigint AS blocks_done,
       (g.p OPERATOR(pg_catalog.->>) 'blocks_total')::bigint AS blocks_total
FROM progress g
LEFT JOIN pg_catalog.pg_constraint c
  ON c.conrelid OPERATOR(pg_catalog.=) (g.p OPERATOR(pg_catalog.->>) 'child_table')::pg_catalog.oid
 AND c.contype OPERATOR(pg_catalog.=) 'f' AND c.conparentid OPERATOR(pg_catalog.=) 0
WHERE g.p IS NOT NULL;

-- The heaps a budgeted audit reads of a child: the table itself, or its
-- leaf partitions.
CREATE FUNCTION fk_audit_heaps(rel regclass) RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t
    JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid
    WHERE t.isleaf AND c.relkind OPERATOR(pg_catalog.=) 'r'
    UNION ALL
    SELECT rel WHERE (SELECT c.relkind FROM pg_catalog.pg_class c
                      WHERE c.oid OPERATOR(pg_catalog.=) rel) OPERATOR(pg_catalog.=) 'r'
                 AND NOT EXISTS (SELECT FROM pg_catalog.pg_partition_tree(rel))
$$;

CREATE FUNCTION fk_audit_is_citus_table(rel regclass) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    citus boolean := false;
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT FROM pg_catalog.pg_dist_partition '
                'WHERE logicalrelid OPERATOR(pg_catalog.=) $1)' INTO citus USING rel;
    END IF;
    RETURN citus;
END
$$;

-- The pass over rel that a budgeted run goes on with: its unfinished one,
-- or a new one from the sizes of its heaps now (an empty heap counts as one
-- block, so that its keys are checked in it too). A new pass starts at the
-- speed the last one measured.
CREATE FUNCTION fk_audit_current_pass(run bigint, rel regclass)
RETURNS @extschema@.fk_audit_pass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    pass @extschema@.fk_audit_pass;
BEGIN
    SELECT * INTO pass FROM @extschema@.fk_audit_pass p
    WHERE p.child_table OPERATOR(pg_catalog.=) rel::text AND p.finished_at IS NULL;
    IF FOUND THEN
        RETURN pass;
    END IF;
    INSERT INTO @extschema@.fk_audit_pass
        (child_table, heaps, heap_blocks, blocks_total, started_run, blocks_per_second, last_range_blocks)
    SELECT rel::text, h.heaps, h.heap_blocks, h.blocks_total, run,
           last.blocks_per_second, last.last_range_blocks
    FROM (SELECT coalesce(pg_catalog.array_agg(s.heap::text ORDER BY s.heap::text), '{}') AS heaps,
                 coalesce(pg_catalog.array_agg(s.blocks ORDER BY s.heap::text), '{}') AS heap_blocks,
                 coalesce(pg_catalog.sum(s.blocks), 0)::bigint AS blocks_total
          FROM (SELECT f.heap, GREATEST(1, pg_catalog.pg_relation_size(f.heap)
                           OPERATOR(pg_catalog./) pg_catalog.current_setting('block_size')::bigint) AS blocks
                FROM @extschema@.fk_audit_heaps(rel) f(heap)) s) h
    LEFT JOIN LATERAL (
        SELECT p.blocks_per_second, p.last_range_blocks FROM @extschema@.fk_audit_pass p
        WHERE p.child_table OPERATOR(pg_catalog.=) rel::text
        ORDER BY p.pass_id DESC LIMIT 1) last ON true
    RETURNING * INTO pass;
    RETURN pass;
END
$$;

-- How many blocks the next range reads: fkdoctor.audit_range_blocks if
-- set; otherwise what the speed measured on the table reads in a tenth of
-- the budget (so a run ends at most about that late), or in what is left
-- of it, growing at most eightfold from one range to the next; 128 blocks
-- (1MB) to start with.
CREATE FUNCTION fk_audit_range_size(pass @extschema@.fk_audit_pass, time_budget interval,
                                    deadline timestamptz)
RETURNS bigint
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN fixed OPERATOR(pg_catalog.>) 0 THEN fixed
        WHEN pass.blocks_per_second IS NULL THEN 128
        ELSE GREATEST(1, LEAST(
            pass.last_range_blocks OPERATOR(pg_catalog.*) 8,
            pg_catalog.floor(pass.blocks_per_second OPERATOR(pg_catalog.*) LEAST(
                pg_catalog.date_part('epoch', time_budget) OPERATOR(pg_catalog./) 10,
                pg_catalog.date_part('epoch', deadline OPERATOR(pg_catalog.-) pg_catalog.clock_timestamp())))::bigint))
    END
    FROM (SELECT coalesce(pg_catalog.current_setting('fkdoctor.audit_range_blocks', true), '0')::bigint AS fixed) s
$$;

-- One range of a pass: every key of rel checked in the blocks
-- [first_block, end_block) of heap, in a statement of its own (so, at READ
-- COMMITTED, under a snapshot of its own), and the pass moved on past it.
CREATE FUNCTION fk_audit_record_range(run bigint, rel regclass, pass @extschema@.fk_audit_pass,
                                      heap regclass, first_block bigint, end_block bigint)
RETURNS @extschema@.fk_audit_pass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    started timestamptz := pg_catalog.clock_timestamp();
    seconds double precision;
    heap_done boolean := end_block OPERATOR(pg_catalog.>=) pass.heap_blocks[pass.next_heap];
    checked record;
BEGIN
    PERFORM @extschema@.fk_audit_show_progress(pg_catalog.jsonb_build_object(
        'run_id', run, 'pass_id', pass.pass_id, 'child_table', rel::oid, 'heap', heap::oid,
        'first_block', first_block, 'end_block', end_block,
        'blocks_done', pass.blocks_done, 'blocks_total', pass.blocks_total));
    INSERT INTO @extschema@.fk_audit_range
        (pass_id, run_id, constraint_name, child_table, parent_table, heap, first_block, end_block,
         rows_checked, orphan_rows, missing_keys, status, diagnosis, advice, elapsed_ms)
    SELECT pass.pass_id, run, a.constraint_name, rel::text, a.parent_table::text, heap::text,
           first_block, end_block, a.rows_checked, a.orphan_rows, a.missing_keys, a.status,
           a.diagnosis, a.advice, a.elapsed_ms
    FROM @extschema@.fk_audit_blocks(rel, heap, first_block, end_block) a;
    seconds := pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) started);
    UPDATE @extschema@.fk_audit_pass p
    SET blocks_done = p.blocks_done OPERATOR(pg_catalog.+) (end_block OPERATOR(pg_catalog.-) first_block),
        next_heap = p.next_heap OPERATOR(pg_catalog.+) (CASE WHEN heap_done THEN 1 ELSE 0 END),
        next_block = CASE WHEN heap_done THEN 0 ELSE end_block END,
        blocks_per_second = (end_block OPERATOR(pg_catalog.-) first_block)
            OPERATOR(pg_catalog./) GREATEST(seconds, 0.001),
        last_range_blocks = end_block OPERATOR(pg_catalog.-) first_block
    WHERE p.pass_id OPERATOR(pg_catalog.=) pass.pass_id
    RETURNING * INTO pass;
    IF coalesce(pg_catalog.current_setting('fkdoctor.progress', true), 'off')::boolean THEN
        FOR checked IN
            SELECT r.constraint_name, r.status, r.orphan_rows FROM @extschema@.fk_audit_range r
            WHERE r.pass_id OPERATOR(pg_catalog.=) pass.pass_id
              AND r.heap OPERATOR(pg_catalog.=) heap::text
              AND r.first_block OPERATOR(pg_catalog.=) first_block
            ORDER BY r.constraint_name
        LOOP
            RAISE NOTICE 'fkdoctor: % on %: %, % orphan rows in blocks % to % of %; % of % blocks done',
                pg_catalog.quote_ident(checked.constraint_name), rel, checked.status,
                coalesce(checked.orphan_rows::text, 'no count of'), first_block, end_block, heap,
                pass.blocks_done, pass.blocks_total;
        END LOOP;
    END IF;
    RETURN pass;
END
$$;

-- A budgeted run's turn on rel: ranges of its current pass until the pass
-- is done or the deadline has come, but at least one range in the run
-- (read_any: the run has read one), so that every run makes progress
-- however small its budget. A Citus table's rows are in its shards,
-- whose blocks are on the workers: it is checked whole, in a pass of no
-- ranges that ends at once.
CREATE FUNCTION fk_audit_record_table(run bigint, rel regclass, time_budget interval,
                                      deadline timestamptz, INOUT read_any boolean)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    pass @extschema@.fk_audit_pass := @extschema@.fk_audit_current_pass(run, rel);
    heap regclass;
    first_block bigint;
BEGIN
    IF @extschema@.fk_audit_is_citus_table(rel) THEN
        PERFORM @extschema@.fk_audit_log_whole(run, rel);
        pass.next_heap := pg_catalog.cardinality(pass.heaps) OPERATOR(pg_catalog.+) 1;
        read_any := true;
    END IF;
    WHILE pass.next_heap OPERATOR(pg_catalog.<=) pg_catalog.cardinality(pass.heaps)
          AND (NOT read_any OR pg_catalog.clock_timestamp() OPERATOR(pg_catalog.<) deadline) LOOP
        heap := pg_catalog.to_regclass(pass.heaps[pass.next_heap]);
        first_block := pass.next_block;
        IF heap IS NULL THEN
            -- Dropped since the pass started: its rows are gone with it.
            UPDATE @extschema@.fk_audit_pass p
            SET blocks_done = p.blocks_done OPERATOR(pg_catalog.+)
                    (p.heap_blocks[p.next_heap] OPERATOR(pg_catalog.-) p.next_block),
                next_heap = p.next_heap OPERATOR(pg_catalog.+) 1, next_block = 0
            WHERE p.pass_id OPERATOR(pg_catalog.=) pass.pass_id
            RETURNING * INTO pass;
        ELSE
            pass := @extschema@.fk_audit_record_range(run, rel, pass, heap, first_block,
                LEAST(pass.heap_blocks[pass.next_heap], first_block OPERATOR(pg_catalog.+)
                    @extschema@.fk_audit_range_size(pass, time_budget, deadline)));
            read_any := true;
        END IF;
    END LOOP;
    IF pass.next_heap OPERATOR(pg_catalog.>) pg_catalog.cardinality(pass.heaps) THEN
        UPDATE @extschema@.fk_audit_pass p
        SET finished_run = run, finished_at = pg_catalog.clock_timestamp()
        WHERE p.pass_id OPERATOR(pg_catalog.=) pass.pass_id;
    END IF;
END
$$;

-- What every recorded run does first and last, budgeted or not: refuse a
-- standby (the history is written), and count the run's keys at its end.
CREATE FUNCTION fk_audit_start_run() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE EXCEPTION 'fk_audit_record() cannot run on a standby: it writes the audit history'
            USING ERRCODE = 'read_only_sql_transaction',
                  HINT = 'Run fk_audit() here, or fk_audit_record() on the primary.';
    END IF;
END
$$;

CREATE FUNCTION fk_audit_finish_run(run bigint) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE @extschema@.fk_audit_run r
    SET finished_at = pg_catalog.clock_timestamp(),
        keys_checked = (SELECT pg_catalog.count(*) FROM @extschema@.fk_audit_log l
                        WHERE l.run_id OPERATOR(pg_catalog.=) run),
        keys_with_orphans = (SELECT pg_catalog.count(*) FROM @extschema@.fk_audit_log l
                             WHERE l.run_id OPERATOR(pg_catalog.=) run
                               AND l.orphan_rows OPERATOR(pg_catalog.>) 0)
    WHERE r.run_id OPERATOR(pg_catalog.=) run;
END
$$;

-- fk_audit(rel) into the run's log: the keys of tables checked whole.
CREATE FUNCTION fk_audit_log_whole(run bigint, rel regclass) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO @extschema@.fk_audit_log
    SELECT run, a.constraint_name, a.child_table::text, a.parent_table::text, a.rows_checked,
           a.orphan_rows, a.missing_keys, a.status, a.diagnosis, a.advice, a.elapsed_ms
    FROM @extschema@.fk_audit(rel) a
$$;

-- fk_audit_record() as in 0.2, through the same steps.
CREATE OR REPLACE FUNCTION fk_audit_record() RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    run bigint;
BEGIN
    PERFORM @extschema@.fk_audit_start_run();
    INSERT INTO @extschema@.fk_audit_run DEFAULT VALUES RETURNING run_id INTO run;
    PERFORM @extschema@.fk_audit_log_whole(run, NULL);
    PERFORM @extschema@.fk_audit_finish_run(run);
    RETURN run;
END
$$;

-- A budgeted audit: child tables (rel, or every table with foreign keys)
-- in turn, the one least recently covered in full first (never covered:
-- first of all), each read range by range (fk_audit_record_table) until
-- time_budget is spent; the next run goes on where this one stopped. A
-- range started before the deadline is read to its end, and a run reads at
-- least one. Returns the run id.
CREATE FUNCTION fk_audit_record(time_budget interval, rel regclass DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    run bigint;
    deadline timestamptz;
    child regclass;
    read_any boolean := false;
BEGIN
    PERFORM @extschema@.fk_audit_start_run();
    IF time_budget IS NULL THEN
        RAISE EXCEPTION 'time_budget must not be null'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Call fk_audit_record() without an argument to check every table whole, however long it takes.';
    END IF;
    IF time_budget OPERATOR(pg_catalog.<=) interval '0' THEN
        RAISE EXCEPTION 'time_budget must be positive'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = pg_catalog.format('The budget given was %s.', time_budget);
    END IF;
    IF rel IS NOT NULL AND NOT EXISTS (SELECT FROM @extschema@.fk_constraints(rel)) THEN
        RAISE EXCEPTION 'table "%" has no foreign keys to audit', rel
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'An audit checks the referencing table of each key.';
    END IF;
    deadline := pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+) time_budget;
    INSERT INTO @extschema@.fk_audit_run (time_budget) VALUES (time_budget) RETURNING run_id INTO run;
    FOR child IN
        SELECT t.child_table
        FROM (SELECT DISTINCT c.child_table FROM @extschema@.fk_constraints(rel) c) t
        LEFT JOIN LATERAL (
            SELECT pg_catalog.max(p.finished_at) AS covered_at FROM @extschema@.fk_audit_pass p
            WHERE p.child_table OPERATOR(pg_catalog.=) t.child_table::text) last ON true
        ORDER BY last.covered_at NULLS FIRST, t.child_table::text
    LOOP
        EXIT WHEN read_any AND pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>=) deadline;
        read_any := @extschema@.fk_audit_record_table(run, child, time_budget, deadline, read_any);
    END LOOP;
    PERFORM @extschema@.fk_audit_show_progress(NULL);
    INSERT INTO @extschema@.fk_audit_log
        (run_id, constraint_name, child_table, parent_table, rows_checked, orphan_rows,
         missing_keys, status, diagnosis, advice, elapsed_ms, pass_id, blocks_checked, blocks_total)
    SELECT run, t.constraint_name, t.child_table, t.parent_table, t.rows_checked, t.orphan_rows,
           t.missing_keys, t.status, t.diagnosis, t.advice, t.elapsed_ms, t.pass_id,
           t.blocks_checked, p.blocks_total
    FROM @extschema@.fk_audit_range_totals t
    JOIN @extschema@.fk_audit_pass p ON p.pass_id OPERATOR(pg_catalog.=) t.pass_id
    WHERE t.run_id OPERATOR(pg_catalog.=) run
      AND t.pass_id IN (SELECT r.pass_id FROM @extschema@.fk_audit_range r
                        WHERE r.run_id OPERATOR(pg_catalog.=) run);
    PERFORM @extschema@.fk_audit_finish_run(run);
    RETURN run;
END
$$;

COMMENT ON FUNCTION fk_audit_record(interval, regclass) IS
'a budgeted audit of rel, or of every table: checks child tables range by range for about time_budget, records the ranges in fk_audit_range, goes on where the last run stopped; returns the run id';
