-- Fuzz: schemas, tables, columns and keys named with quotes, spaces,
-- semicolons, reserved words, unicode and mixed case, with keys of one to
-- three columns and cross-type pairs. fk_orphans() must report exactly the
-- orphans the generator planted.
CREATE SCHEMA fkd_fuzz;
CREATE TABLE fkd_fuzz.planted (child regclass, id int);
CREATE TABLE fkd_fuzz.children (child regclass, id_column name);
SELECT setseed(0.4242);

CREATE FUNCTION fkd_fuzz.hostile_name(n int) RETURNS text LANGUAGE sql AS $$
    SELECT (ARRAY['select', 'Order Lines', 'a"b', 'x; DROP TABLE y; --', 'größe',
                  'MiXeD', 'user', 'from', '$1', 'e''s', ' lead', 'ÄÖÜ 日本',
                  'table', 'Name"', 'semi;colon', 'dot.ted'])[1 + floor(random() * 16)::int]
           || ' ' || n
$$;

DO $$
DECLARE
    schema_name text;
    parent_name text;
    child_name text;
    id_name text;
    width int;
    parent_types text[];
    child_types text[];
    parent_cols text[];
    child_cols text[];
    col_defs text;
    values_list text;
    child_id int;
    k int;
BEGIN
    FOR t IN 1..12 LOOP
        schema_name := fkd_fuzz.hostile_name(t);
        parent_name := fkd_fuzz.hostile_name(100 + t);
        child_name := fkd_fuzz.hostile_name(200 + t);
        id_name := fkd_fuzz.hostile_name(300 + t);
        width := 1 + floor(random() * 3)::int;
        parent_types := '{}'; child_types := '{}'; parent_cols := '{}'; child_cols := '{}';
        FOR c IN 1..width LOOP
            parent_cols := parent_cols || fkd_fuzz.hostile_name(1000 * t + c);
            child_cols := child_cols || fkd_fuzz.hostile_name(2000 * t + c);
            CASE floor(random() * 3)::int
                WHEN 0 THEN parent_types := parent_types || 'bigint'::text; child_types := child_types || 'int'::text;
                WHEN 1 THEN parent_types := parent_types || 'int'::text; child_types := child_types || 'int'::text;
                ELSE parent_types := parent_types || 'text'::text; child_types := child_types || 'varchar(20)'::text;
            END CASE;
        END LOOP;
        EXECUTE format('CREATE SCHEMA %I', schema_name);
        SELECT string_agg(format('%I %s', parent_cols[c], parent_types[c]), ', ') INTO col_defs
        FROM generate_series(1, width) c;
        EXECUTE format('CREATE TABLE %I.%I (%s, PRIMARY KEY (%s))', schema_name, parent_name, col_defs,
                       (SELECT string_agg(format('%I', x), ', ') FROM unnest(parent_cols) x));
        SELECT string_agg(format('%I %s', child_cols[c], child_types[c]), ', ') INTO col_defs
        FROM generate_series(1, width) c;
        EXECUTE format('CREATE TABLE %I.%I (%I int PRIMARY KEY, %s, CONSTRAINT %I FOREIGN KEY (%s) REFERENCES %I.%I (%s))',
                       schema_name, child_name, id_name, col_defs, fkd_fuzz.hostile_name(400 + t),
                       (SELECT string_agg(format('%I', x), ', ') FROM unnest(child_cols) x),
                       schema_name, parent_name,
                       (SELECT string_agg(format('%I', x), ', ') FROM unnest(parent_cols) x));
        INSERT INTO fkd_fuzz.children VALUES (format('%I.%I', schema_name, child_name)::regclass, id_name);
        -- Parent keys 1..20; child keys 1..25, so keys 21..25 are orphans,
        -- unless a NULL in the key (every seventh child) exempts the row.
        FOR k IN 1..20 LOOP
            SELECT string_agg(CASE WHEN parent_types[c] = 'text' THEN quote_literal('v' || k) ELSE k::text END, ', ')
            INTO values_list FROM generate_series(1, width) c;
            EXECUTE format('INSERT INTO %I.%I VALUES (%s)', schema_name, parent_name, values_list);
        END LOOP;
        SET LOCAL session_replication_role = replica;
        FOR child_id IN 1..40 LOOP
            k := 1 + child_id % 25;
            SELECT string_agg(CASE WHEN c = 1 AND child_id % 7 = 0 THEN 'NULL'
                                   WHEN child_types[c] LIKE 'varchar%' THEN quote_literal('v' || k)
                                   ELSE k::text END, ', ')
            INTO values_list FROM generate_series(1, width) c;
            EXECUTE format('INSERT INTO %I.%I VALUES (%s, %s)', schema_name, child_name, child_id, values_list);
            IF k > 20 AND child_id % 7 <> 0 THEN
                INSERT INTO fkd_fuzz.planted VALUES (format('%I.%I', schema_name, child_name)::regclass, child_id);
            END IF;
        END LOOP;
        SET LOCAL session_replication_role = origin;
    END LOOP;
END $$;

CREATE TABLE fkd_fuzz.reported AS
SELECT o.child_table AS child, (o.child_key ->> c.id_column)::int AS id
FROM fk_orphans() o JOIN fkd_fuzz.children c ON c.child = o.child_table;

SELECT (SELECT count(*) FROM fkd_fuzz.planted) AS planted,
       (SELECT count(*) FROM fkd_fuzz.reported) AS reported,
       (SELECT count(*) FROM (SELECT * FROM fkd_fuzz.planted EXCEPT SELECT * FROM fkd_fuzz.reported) m) AS missed,
       (SELECT count(*) FROM (SELECT * FROM fkd_fuzz.reported EXCEPT SELECT * FROM fkd_fuzz.planted) f) AS false_orphans;
-- Every key is found, by its own name, on its own table.
SELECT count(*) AS keys_found FROM fk_constraints() k JOIN fkd_fuzz.children c ON c.child = k.child_table;

-- The repairs, executed, delete exactly the planted orphans and nothing else.
CREATE FUNCTION fkd_fuzz.snapshot(target regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE c record;
BEGIN
    FOR c IN SELECT * FROM fkd_fuzz.children LOOP
        EXECUTE format('INSERT INTO %s SELECT %L::regclass, (to_jsonb(t) ->> %L)::int, to_jsonb(t) FROM %s t',
                       target, c.child, c.id_column, c.child);
    END LOOP;
END $$;
CREATE TABLE fkd_fuzz.rows_before (child regclass, id int, j jsonb);
CREATE TABLE fkd_fuzz.rows_after (LIKE fkd_fuzz.rows_before);
SELECT fkd_fuzz.snapshot('fkd_fuzz.rows_before');
\set ECHO none
SELECT r.statement FROM fk_repairs(NULL, 'delete') r JOIN fkd_fuzz.children c ON c.child = r.child_table
WHERE r.strategy = 'delete' \gexec
\set ECHO all
SELECT fkd_fuzz.snapshot('fkd_fuzz.rows_after');
SELECT (SELECT count(*) FROM fkd_fuzz.rows_before) AS rows_before,
       (SELECT count(*) FROM fkd_fuzz.rows_after) AS rows_after,
       (SELECT count(*) FROM (SELECT child, id FROM fkd_fuzz.rows_before EXCEPT SELECT child, id FROM fkd_fuzz.rows_after) d
        WHERE (child, id) NOT IN (SELECT * FROM fkd_fuzz.planted)) AS wrongly_deleted,
       (SELECT count(*) FROM fkd_fuzz.rows_after a JOIN fkd_fuzz.planted p USING (child, id)) AS orphans_kept,
       (SELECT count(*) FROM (SELECT * FROM fkd_fuzz.rows_after EXCEPT SELECT * FROM fkd_fuzz.rows_before) c) AS rows_changed,
       (SELECT count(*) FROM fk_orphans() o JOIN fkd_fuzz.children c ON c.child = o.child_table) AS orphans_left;

SET client_min_messages = warning;
SELECT format('DROP SCHEMA %I CASCADE', n.nspname)
FROM fkd_fuzz.children c JOIN pg_class r ON r.oid = c.child JOIN pg_namespace n ON n.oid = r.relnamespace
ORDER BY 1 \gexec
DROP SCHEMA fkd_fuzz CASCADE;
RESET client_min_messages;
