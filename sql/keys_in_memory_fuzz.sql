-- Random keys of plain values, checked in memory and by the anti-join: the
-- two must give the same answers, row for row. A fixed seed keeps the cases
-- the same from run to run. Each case: one integer column (any mix of
-- smallint, integer and bigint, dense or sparse, up to the ends of their
-- ranges), a uuid, a pair of integers (MATCH SIMPLE, or MATCH FULL, which
-- stays with the anti-join), text or varchar under C, the database's or a
-- deterministic ICU collation (or a nondeterministic one, which stays with
-- the anti-join), with case and trailing spaces that matter and long values
-- stored out of line, or character(n), whose trailing spaces do not; a
-- plain or hash-partitioned child; its rows referencing parents, missing
-- ones, or NULL.
CREATE SCHEMA fkd_fuzz;
SET search_path = fkd_fuzz, public;
SELECT setseed(0.2026);

CREATE FUNCTION pick(options text[]) RETURNS text LANGUAGE sql
AS $$ SELECT options[1 + floor(random() * cardinality(options))::int] $$;

-- A random value for an integer type: near zero, or anywhere in its range.
CREATE FUNCTION random_integer(type text, spread text) RETURNS numeric LANGUAGE sql AS $$
    SELECT CASE WHEN spread = 'dense' THEN floor(random() * 400)::numeric - 200
                ELSE floor((random() * 2 - 1) * CASE type WHEN 'smallint' THEN 32767
                                                          WHEN 'integer' THEN 2147483647
                                                          ELSE 9223372036854775807 END) END
$$;

-- Short codes that differ in case and trailing spaces, and now and then a
-- long one (a random 2 kB: stored out of line where storage is external).
CREATE FUNCTION random_text() RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN random() < 0.05
                THEN (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 68))
                ELSE fkd_fuzz.pick('{k,K,code-}') || floor(random() * 60)::text
                     || fkd_fuzz.pick('{"","",""," ","  "}') END
$$;
CREATE COLLATION icu_root (provider = icu, locale = 'und');
CREATE COLLATION icu_case_blind (provider = icu, locale = 'und-u-ks-level2',
                                 deterministic = false);

CREATE TABLE cases (n int PRIMARY KEY, shape text, child_table regclass);

DO $$
DECLARE
    shape text; spread text; match text; parent_type text; child_type text; narrowest text;
    columns text; values_sql text; child text; parent text; key_coll text; child_coll text;
BEGIN
    FOR n IN 1..50 LOOP
        shape := pick('{integer,uuid,pair,text,text,character}');
        key_coll := CASE shape WHEN 'text' THEN pick('{"\"C\"",icu_root,"\"default\"",icu_case_blind}')
                                ELSE '"default"' END;
        -- Deterministic collations may differ between the two columns.
        child_coll := CASE WHEN key_coll = 'icu_case_blind' THEN key_coll
                                ELSE pick(ARRAY[key_coll, '"C"', 'icu_root']) END;
        spread := pick('{dense,sparse}');
        match := CASE WHEN shape = 'pair' THEN pick('{SIMPLE,SIMPLE,FULL}') ELSE 'SIMPLE' END;
        parent_type := pick('{smallint,integer,bigint}');
        child_type := pick('{smallint,integer,bigint}');
        narrowest := CASE WHEN 'smallint' IN (parent_type, child_type) THEN 'smallint'
                          WHEN 'integer' IN (parent_type, child_type) THEN 'integer'
                          ELSE 'bigint' END;
        parent := 'p' || n;
        child := 'c' || n;
        IF shape IN ('text', 'character') THEN
            parent_type := CASE shape WHEN 'text' THEN pick('{text,varchar}') ELSE 'character(8)' END;
            child_type := CASE shape WHEN 'text' THEN pick('{text,varchar}') ELSE 'character(12)' END;
            EXECUTE format('CREATE TABLE %I (a %s COLLATE %s PRIMARY KEY)', parent, parent_type,
                           key_coll);
            IF random() < 0.5 THEN
                EXECUTE format('ALTER TABLE %I ALTER a SET STORAGE EXTERNAL', parent);
            END IF;
            EXECUTE format('INSERT INTO %I SELECT left(fkd_fuzz.random_text(), %s) '
                           'FROM generate_series(1, 300) ON CONFLICT DO NOTHING', parent,
                           CASE shape WHEN 'text' THEN 10000 ELSE 8 END);
        ELSIF shape = 'uuid' THEN
            EXECUTE format('CREATE TABLE %I (a uuid PRIMARY KEY)', parent);
            EXECUTE format('INSERT INTO %I SELECT DISTINCT md5(random()::text)::uuid '
                           'FROM generate_series(1, 300)', parent);
            EXECUTE format('INSERT INTO %I VALUES (%L) ON CONFLICT DO NOTHING', parent,
                           'ffffffff-ffff-ffff-5a5a-5a5a5a5a5a5a');
        ELSIF shape = 'integer' THEN
            EXECUTE format('CREATE TABLE %I (a %s PRIMARY KEY)', parent, parent_type);
            EXECUTE format('INSERT INTO %I SELECT DISTINCT fkd_fuzz.random_integer(%L, %L)::%s '
                           'FROM generate_series(1, 300)', parent, narrowest, spread, parent_type);
        ELSE
            EXECUTE format('CREATE TABLE %I (a %s, b %s, PRIMARY KEY (a, b))', parent,
                           parent_type, parent_type);
            EXECUTE format('INSERT INTO %I SELECT DISTINCT fkd_fuzz.random_integer(%L, %L)::%s, '
                           'floor(random() * 3)::%s FROM generate_series(1, 300)',
                           parent, narrowest, spread, parent_type, parent_type);
        END IF;

        columns := CASE shape WHEN 'pair' THEN format('a %s, b %s', child_type, child_type)
                              WHEN 'uuid' THEN 'a uuid'
                              WHEN 'integer' THEN format('a %s', child_type)
                              ELSE format('a %s COLLATE %s', child_type, child_coll) END;
        EXECUTE format('CREATE TABLE %I (id int, %s, FOREIGN KEY (%s) REFERENCES %I MATCH %s) %s',
                       child, columns, CASE shape WHEN 'pair' THEN 'a, b' ELSE 'a' END, parent,
                       match, CASE WHEN random() < 0.3 THEN 'PARTITION BY HASH (id)' ELSE '' END);
        IF (SELECT relkind FROM pg_class WHERE oid = child::regclass) = 'p' THEN
            FOR r IN 0..2 LOOP
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS 3, REMAINDER %s)',
                               child || '_' || r, child, r);
            END LOOP;
        END IF;

        -- Each row: an existing parent key (60%), a made-up one, or NULLs.
        SET LOCAL session_replication_role = replica;
        IF shape = 'pair' THEN
            EXECUTE format(
                'INSERT INTO %I SELECT g, CASE WHEN x < 0.6 THEN p.a WHEN x < 0.8 THEN '
                'fkd_fuzz.random_integer(%L, %L)::%s END, CASE WHEN x < 0.6 THEN p.b '
                'WHEN x < 0.9 THEN floor(random() * 4)::%s END '
                'FROM generate_series(1, 600) g, LATERAL (SELECT random() AS x WHERE g > 0) r, '
                'LATERAL (SELECT a, b FROM %I WHERE g > 0 ORDER BY random() LIMIT 1) p',
                child, narrowest, spread, child_type, child_type, parent);
        ELSE
            IF shape = 'text' AND random() < 0.5 THEN
                EXECUTE format('ALTER TABLE %I ALTER a SET STORAGE EXTERNAL', child);
            END IF;
            values_sql := CASE shape WHEN 'uuid' THEN 'md5(random()::text)::uuid'
                          WHEN 'text' THEN 'fkd_fuzz.random_text()'
                          WHEN 'character' THEN 'left(fkd_fuzz.random_text(), 12)'
                          ELSE format('fkd_fuzz.random_integer(%L, %L)::%s', narrowest, spread,
                                      child_type) END;
            EXECUTE format(
                'INSERT INTO %I SELECT g, CASE WHEN x < 0.6 THEN p.a WHEN x < 0.9 THEN %s END '
                'FROM generate_series(1, 600) g, LATERAL (SELECT random() AS x WHERE g > 0) r, '
                'LATERAL (SELECT a FROM %I WHERE g > 0 ORDER BY random() LIMIT 1) p',
                child, values_sql, parent);
        END IF;
        SET LOCAL session_replication_role = origin;
        INSERT INTO cases VALUES (n, shape || CASE WHEN shape = 'pair' THEN ' ' || match
                                                   WHEN key_coll = 'icu_case_blind'
                                                   THEN ' nondeterministic' ELSE '' END,
                                  child::regclass);
    END LOOP;
END
$$;

CREATE FUNCTION audit_by_anti_join(t regclass)
RETURNS TABLE (constraint_name name, rows_checked bigint, orphan_rows bigint, missing_keys bigint,
               status text)
LANGUAGE sql SET fkdoctor.check_in_memory = off
AS $$ SELECT constraint_name, rows_checked, orphan_rows, missing_keys, status FROM fk_audit(t) $$;
CREATE FUNCTION orphans_by_anti_join(t regclass)
RETURNS TABLE (constraint_name name, child_table regclass, parent_table regclass,
               child_ctid tid, child_key jsonb, missing_key jsonb,
               child_shard bigint, child_node text)
LANGUAGE sql SET fkdoctor.check_in_memory = off
AS $$ SELECT * FROM fk_orphans(t) $$;

-- The anti-join's answers, once: the judge of both passes below.
CREATE TABLE audit_truth AS
SELECT c.n, a.* FROM cases c, audit_by_anti_join(c.child_table) a;
CREATE TABLE orphans_truth AS
SELECT c.n, o.* FROM cases c, orphans_by_anti_join(c.child_table) o;

CREATE VIEW verdicts AS
SELECT c.n, c.shape,
       (SELECT orphan_rows FROM fk_audit(c.child_table)) AS orphan_rows,
       NOT EXISTS (SELECT constraint_name, rows_checked, orphan_rows, missing_keys, status
                   FROM fk_audit(c.child_table)
                   EXCEPT SELECT constraint_name, rows_checked, orphan_rows, missing_keys, status
                   FROM audit_truth t WHERE t.n = c.n) AS same_audit,
       (SELECT pg_catalog.array_agg(o ORDER BY o.child_table, o.child_ctid)
        FROM fk_orphans(c.child_table) o) IS NOT DISTINCT FROM
       (SELECT pg_catalog.array_agg(ROW(t.constraint_name, t.child_table, t.parent_table,
                                        t.child_ctid, t.child_key, t.missing_key, t.child_shard,
                                        t.child_node)::record ORDER BY t.child_table, t.child_ctid)
        FROM orphans_truth t WHERE t.n = c.n) AS same_orphans
FROM cases c;

CREATE TABLE serial_verdicts AS SELECT * FROM verdicts;
SELECT shape, count(*) AS cases, count(*) FILTER (WHERE orphan_rows > 0) AS with_orphans,
       count(*) FILTER (WHERE same_audit) AS same_audit,
       count(*) FILTER (WHERE same_orphans) AS same_orphans
FROM serial_verdicts GROUP BY shape ORDER BY shape;
-- Any case that differs, to look at.
SELECT n, shape FROM serial_verdicts WHERE NOT (same_audit AND same_orphans) ORDER BY n;

-- Again with every scan planned in parallel, however small its table: the
-- leader and the workers share the check, and must agree with the
-- anti-join all the same (on the first 12 cases: most queries of a call
-- start workers now; the leader leaves the scan to them, so that each
-- reads the key sets from the segment the leader shares). The plan of such
-- a scan, to show that it is one:
SET parallel_leader_participation = off;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT fkdoctor_internal.fk_orphan_tally(NULL::bytea, fk.a) FROM ONLY c1 fk;
EXPLAIN (COSTS OFF)
SELECT fk.tableoid, fk.ctid FROM c1 fk WHERE fkdoctor_internal.fk_row_is_orphan(NULL::bytea, fk.a);
CREATE TABLE parallel_verdicts AS SELECT * FROM verdicts WHERE n <= 12;
SELECT shape, count(*) AS cases, count(*) FILTER (WHERE orphan_rows > 0) AS with_orphans,
       count(*) FILTER (WHERE same_audit) AS same_audit,
       count(*) FILTER (WHERE same_orphans) AS same_orphans
FROM parallel_verdicts GROUP BY shape ORDER BY shape;
SELECT n, shape FROM parallel_verdicts WHERE NOT (same_audit AND same_orphans) ORDER BY n;
RESET parallel_leader_participation;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

SET client_min_messages = warning;
DROP SCHEMA fkd_fuzz CASCADE;
RESET client_min_messages;
