-- fk_audit() and fk_orphans() check keys of plain values (one integer or
-- uuid column, or two integer columns under MATCH SIMPLE) by scanning the
-- child against the parents' keys held in memory, and fk_orphans() then
-- reads the orphan rows back by ctid. Their answers must
-- be those of the anti-join: every case here is compared with a reference
-- written by hand, the NOT EXISTS query of every orphan row.
CREATE SCHEMA fkd_memory;
SET search_path = fkd_memory, public;

CREATE FUNCTION reference_orphans(t regclass)
RETURNS TABLE (constraint_name name, child_table regclass, child_ctid tid, missing text)
LANGUAGE plpgsql AS $$
DECLARE
    k record;
BEGIN
    FOR k IN
        SELECT c.conname, c.confrelid::regclass AS parent,
               string_agg(format('p.%I = c.%I', pa.attname, ca.attname), ' AND ' ORDER BY u.n) AS equal,
               string_agg(format('c.%I IS NOT NULL', ca.attname), ' AND ' ORDER BY u.n) AS complete,
               string_agg(format('c.%I IS NOT NULL', ca.attname), ' OR ' ORDER BY u.n) AS some_value,
               string_agg(format('c.%I IS NULL', ca.attname), ' OR ' ORDER BY u.n) AS some_null,
               c.confmatchtype,
               string_agg(format('c.%I', ca.attname), ', ' ORDER BY u.n) AS columns
        FROM pg_constraint c
        CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS u(child_att, parent_att, n)
        JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = u.child_att
        JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = u.parent_att
        WHERE c.conrelid = t AND c.contype = 'f'
        GROUP BY c.conname, c.confrelid, c.confmatchtype
    LOOP
        -- MATCH SIMPLE checks complete keys; MATCH FULL any key with a
        -- value, a partly NULL one being an orphan.
        RETURN QUERY EXECUTE format(
            'SELECT %L::name, c.tableoid::regclass, c.ctid, ROW(%s)::text FROM %s c WHERE %s',
            k.conname, k.columns, t,
            CASE k.confmatchtype
            WHEN 's' THEN format('%s AND NOT EXISTS (SELECT FROM %s p WHERE %s)',
                                 k.complete, k.parent, k.equal)
            ELSE format('(%s) AND (%s OR NOT EXISTS (SELECT FROM %s p WHERE %s))',
                        k.some_value, k.some_null, k.parent, k.equal) END);
    END LOOP;
END
$$;

-- Both functions with every check made by PostgreSQL's anti-join.
CREATE FUNCTION audit_by_anti_join(t regclass)
RETURNS TABLE (constraint_name name, rows_checked bigint, orphan_rows bigint, missing_keys bigint)
LANGUAGE sql SET fkdoctor.check_in_memory = off
AS $$ SELECT constraint_name, rows_checked, orphan_rows, missing_keys FROM fk_audit(t) $$;
CREATE FUNCTION orphans_by_anti_join(t regclass)
RETURNS TABLE (constraint_name name, child_table regclass, parent_table regclass,
               child_ctid tid, child_key jsonb, missing_key jsonb,
               child_shard bigint, child_node text)
LANGUAGE sql SET fkdoctor.check_in_memory = off
AS $$ SELECT * FROM fk_orphans(t) $$;

-- fk_audit()'s counts; whether they are the reference's and whether
-- fk_orphans() gives the reference's rows; and whether both functions give
-- all the same with fkdoctor.check_in_memory off.
CREATE FUNCTION audit_vs_reference(t regclass)
RETURNS TABLE (constraint_name name, rows_checked bigint, orphan_rows bigint,
               missing_keys bigint, status text, audit_right boolean, orphans_right boolean,
               same_by_anti_join boolean)
LANGUAGE sql AS $$
    SELECT a.constraint_name, a.rows_checked, a.orphan_rows, a.missing_keys, a.status,
           (a.orphan_rows, a.missing_keys) IS NOT DISTINCT FROM
           (SELECT (count(*), count(DISTINCT r.missing)) FROM reference_orphans(t) r
            WHERE r.constraint_name = a.constraint_name),
           NOT EXISTS (
               (SELECT o.child_table, o.child_ctid FROM fk_orphans(t) o
                WHERE o.constraint_name = a.constraint_name
                EXCEPT ALL
                SELECT r.child_table, r.child_ctid FROM reference_orphans(t) r
                WHERE r.constraint_name = a.constraint_name)
               UNION ALL
               (SELECT r.child_table, r.child_ctid FROM reference_orphans(t) r
                WHERE r.constraint_name = a.constraint_name
                EXCEPT ALL
                SELECT o.child_table, o.child_ctid FROM fk_orphans(t) o
                WHERE o.constraint_name = a.constraint_name)),
           (a.rows_checked, a.orphan_rows, a.missing_keys) IS NOT DISTINCT FROM
           (SELECT (j.rows_checked, j.orphan_rows, j.missing_keys) FROM audit_by_anti_join(t) j
            WHERE j.constraint_name = a.constraint_name)
           AND NOT EXISTS (
               (SELECT * FROM fk_orphans(t) o WHERE o.constraint_name = a.constraint_name
                EXCEPT ALL
                SELECT * FROM orphans_by_anti_join(t) j WHERE j.constraint_name = a.constraint_name)
               UNION ALL
               (SELECT * FROM orphans_by_anti_join(t) j WHERE j.constraint_name = a.constraint_name
                EXCEPT ALL
                SELECT * FROM fk_orphans(t) o WHERE o.constraint_name = a.constraint_name))
    FROM fk_audit(t) a ORDER BY 1
$$;
-- How many times the table was scanned in this transaction.
CREATE FUNCTION scans(t regclass) RETURNS bigint LANGUAGE sql
AS $$ SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relid = t $$;

-- How many times fk_audit() scans the table.
CREATE FUNCTION audit_scans(t regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    before bigint := scans(t);
BEGIN
    PERFORM FROM fk_audit(t);
    RETURN scans(t) - before;
END $$;

-- Dense parent keys (a bitmap) and sparse ones at the ends of bigint (a
-- hash set); smallint and bigint columns referencing integer and bigint
-- ones; NULL keys, which reference nothing; a parent whose unique column
-- holds a NULL, which matches nothing.
CREATE TABLE dense (id int PRIMARY KEY);
INSERT INTO dense SELECT generate_series(-100, 1000);
CREATE TABLE sparse (id bigint PRIMARY KEY);
INSERT INTO sparse VALUES (-9223372036854775808), (-1), (0), (4294967296), (9223372036854775807);
CREATE TABLE nullable (code int UNIQUE);
INSERT INTO nullable VALUES (1), (NULL);
CREATE TABLE mixed (id int PRIMARY KEY,
    small_id smallint REFERENCES dense,
    big_id bigint REFERENCES dense,
    far_id bigint REFERENCES sparse,
    near_id int REFERENCES sparse,
    code int REFERENCES nullable (code));
SET session_replication_role = replica;
INSERT INTO mixed
SELECT g,
       CASE WHEN g % 10 = 0 THEN 1001 + g % 3 WHEN g % 7 = 0 THEN NULL ELSE g % 1000 - 100 END,
       CASE WHEN g = 5 THEN -101 WHEN g = 6 THEN 9223372036854775807 ELSE g END,
       CASE g % 4 WHEN 0 THEN -9223372036854775808 WHEN 1 THEN 9223372036854775807
                  WHEN 2 THEN -9223372036854775807 ELSE 1 END,
       CASE WHEN g % 5 = 0 THEN -1 WHEN g % 5 = 1 THEN 2147483647 ELSE 0 END,
       CASE WHEN g % 3 = 0 THEN 1 WHEN g % 3 = 1 THEN NULL ELSE 2 END
FROM generate_series(1, 900) g;
RESET session_replication_role;
SELECT * FROM audit_vs_reference('mixed');
-- One scan for the five keys (and none to count the rows).
BEGIN;
SELECT scans('mixed') AS before \gset
SELECT count(*) AS keys FROM fk_audit('mixed');
SELECT scans('mixed') - :before AS audit_scans;
COMMIT;
-- With fkdoctor.check_in_memory off: a count of the rows and one anti-join per key.
BEGIN;
SET LOCAL fkdoctor.check_in_memory = off;
SELECT scans('mixed') AS before \gset
SELECT count(*) AS keys FROM fk_audit('mixed');
SELECT scans('mixed') - :before AS anti_join_scans;
COMMIT;

-- Text keys are checked in memory too, under collations where equal text
-- is equal bytes: text, varchar (under C, referencing a column of the
-- database's collation) and character(n), whose trailing spaces do not
-- count. With an integer key, one scan for the four.
CREATE TABLE codes (code text PRIMARY KEY);
INSERT INTO codes VALUES ('a'), ('B'), ('k1'), (''), (repeat('long', 600));
CREATE TABLE padded (code character(6) PRIMARY KEY);
INSERT INTO padded VALUES ('ab'), ('x  ');
CREATE TABLE labelled (id int PRIMARY KEY,
    code text REFERENCES codes,
    short_code varchar(3000) COLLATE "C" REFERENCES codes,
    pad character(4) REFERENCES padded,
    dense_id int REFERENCES dense);
ALTER TABLE labelled ALTER code SET STORAGE EXTERNAL;
SET session_replication_role = replica;
INSERT INTO labelled
SELECT g, (ARRAY['a', 'A', 'k1', 'k1 ', '', NULL, repeat('long', 600), repeat('long', 599)])[1 + g % 8],
       (ARRAY['B', 'b', 'a ', NULL])[1 + g % 4],
       (ARRAY['ab', 'ab  ', 'x', 'AB', NULL])[1 + g % 5],
       g % 1200
FROM generate_series(1, 400) g;
RESET session_replication_role;
SELECT * FROM audit_vs_reference('labelled');
SELECT audit_scans('labelled');
-- fk_orphans() of a key in a hash set (a text key here) finds its orphans
-- in one scan that makes its lookups together, and reads them by ctid. Past
-- the orphans it keeps (a fortieth of maintenance_work_mem, 16 bytes each:
-- 1638 in 1MB) it scans again with the filter, which spills them; with a
-- quarter of the rows or more orphans (past 30,000), the anti-join reads
-- them. The same orphans every way.
CREATE TABLE many_codes (code text PRIMARY KEY);
INSERT INTO many_codes SELECT 'c' || g FROM generate_series(1, 1000) g;
CREATE TABLE coded (id int PRIMARY KEY, code text REFERENCES many_codes);
SET session_replication_role = replica;
INSERT INTO coded SELECT g, CASE WHEN g % 10 = 0 THEN 'x' || g ELSE 'c' || (1 + g % 1000) END
FROM generate_series(1, 20000) g;
CREATE TABLE half_coded (id int PRIMARY KEY, code text REFERENCES many_codes);
INSERT INTO half_coded SELECT g, CASE WHEN g % 2 = 0 THEN 'x' || g ELSE 'c' || (1 + g % 1000) END
FROM generate_series(1, 80000) g;
RESET session_replication_role;
ANALYZE coded, half_coded;
CREATE FUNCTION orphan_scans(t regclass, OUT scans bigint, OUT orphans bigint,
                             OUT orphans_right boolean)
LANGUAGE plpgsql AS $$
DECLARE
    before bigint := scans(t);
    found tid[];
BEGIN
    SELECT array_agg(child_ctid) INTO found FROM fk_orphans(t);
    scans := scans(t) - before;
    orphans := cardinality(found);
    orphans_right := NOT EXISTS (SELECT unnest(found) EXCEPT ALL
                                 SELECT child_ctid FROM reference_orphans(t))
                     AND NOT EXISTS (SELECT child_ctid FROM reference_orphans(t) EXCEPT ALL
                                     SELECT unnest(found));
END $$;
SELECT * FROM orphan_scans('coded');
BEGIN;
SET LOCAL maintenance_work_mem = '1MB';
SELECT * FROM orphan_scans('coded');
COMMIT;
SELECT * FROM orphan_scans('half_coded');

-- Under a nondeterministic collation equal text may differ in its bytes:
-- such a key is left to the anti-join (its own scan), with the same answers.
CREATE COLLATION case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE blind_codes (code text COLLATE case_blind PRIMARY KEY);
INSERT INTO blind_codes VALUES ('a'), ('B');
CREATE TABLE blind (id int PRIMARY KEY, code text COLLATE case_blind REFERENCES blind_codes,
                    dense_id int REFERENCES dense);
SET session_replication_role = replica;
INSERT INTO blind SELECT g, (ARRAY['A', 'b', 'c'])[1 + g % 3], g FROM generate_series(1, 30) g;
RESET session_replication_role;
SELECT * FROM audit_vs_reference('blind');
SELECT audit_scans('blind');

-- What the caller's own transaction wrote is seen, as by the anti-join.
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO mixed VALUES (901, 1, 1, 0, 0, 1), (902, -200, 1, 0, 0, 1);
DELETE FROM dense WHERE id = 1;
SELECT constraint_name, orphan_rows, audit_right, orphans_right, same_by_anti_join FROM audit_vs_reference('mixed')
WHERE constraint_name IN ('mixed_small_id_fkey', 'mixed_big_id_fkey');
ROLLBACK;

-- fk_repairs() and fk_assert_clean() count in memory too: the same answers.
CREATE FUNCTION repairs_by_anti_join(t regclass)
RETURNS TABLE (constraint_name name, strategy text, rows_affected bigint, statement text)
LANGUAGE sql SET fkdoctor.check_in_memory = off
AS $$ SELECT constraint_name, strategy, rows_affected, statement FROM fk_repairs(t) $$;
SELECT count(*) AS repairs,
       NOT EXISTS (SELECT constraint_name, strategy, rows_affected, statement FROM fk_repairs('mixed')
                   EXCEPT ALL SELECT * FROM repairs_by_anti_join('mixed'))
       AND NOT EXISTS (SELECT * FROM repairs_by_anti_join('mixed')
                       EXCEPT ALL SELECT constraint_name, strategy, rows_affected, statement
                       FROM fk_repairs('mixed')) AS same_by_anti_join
FROM fk_repairs('mixed');
SELECT fk_assert_clean('mixed');
SET fkdoctor.check_in_memory = off;
SELECT fk_assert_clean('mixed');
RESET fkdoctor.check_in_memory;
CREATE TABLE clean_child (id int PRIMARY KEY, dense_id int REFERENCES dense);
INSERT INTO clean_child VALUES (1, 1), (2, NULL);
SELECT fk_assert_clean('clean_child') AS clean;

-- fk_orphans() stops at max_rows, across keys too.
SELECT count(*) AS seven FROM fk_orphans('mixed', 7);
SELECT count(*) AS hundred FROM fk_orphans('mixed', 100);
SELECT constraint_name, count(*) FROM fk_orphans('mixed', 95) GROUP BY 1 ORDER BY 2 DESC;

-- A partitioned child of a partitioned parent.
CREATE TABLE accounts (id bigint PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE accounts_low PARTITION OF accounts FOR VALUES FROM (MINVALUE) TO (1000);
CREATE TABLE accounts_high PARTITION OF accounts FOR VALUES FROM (1000) TO (MAXVALUE);
INSERT INTO accounts SELECT generate_series(1, 2000, 2);
CREATE TABLE entries (id int, account_id int REFERENCES accounts) PARTITION BY HASH (id);
CREATE TABLE entries_0 PARTITION OF entries FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE entries_1 PARTITION OF entries FOR VALUES WITH (MODULUS 2, REMAINDER 1);
SET session_replication_role = replica;
INSERT INTO entries SELECT g, g FROM generate_series(1, 3000) g WHERE g % 2 = 1 OR g % 5 = 0;
RESET session_replication_role;
SELECT * FROM audit_vs_reference('entries');
SELECT child_table, count(*) FROM fk_orphans('entries') GROUP BY 1 ORDER BY 1;

-- Past maintenance_work_mem the answers stay exact: a parent whose keys do
-- not fit (1MB holds about 32,000 while they are read) is checked by its
-- anti-join, and a key with more distinct missing keys than fit in memory
-- is read again by its anti-join for them.
CREATE TABLE wide (id bigint PRIMARY KEY);
INSERT INTO wide SELECT g * 1000003 FROM generate_series(1::bigint, 40000) g;
CREATE TABLE lots (id int PRIMARY KEY, wide_id bigint REFERENCES wide, dense_id int REFERENCES dense);
SET session_replication_role = replica;
INSERT INTO lots SELECT g, CASE WHEN g % 1000 = 0 THEN g ELSE (1 + g % 40000) * 1000003 END,
                        CASE WHEN g <= 75000 THEN 5000 + g ELSE 1 END
FROM generate_series(1::bigint, 80000) g;
RESET session_replication_role;
ANALYZE lots, wide;
BEGIN;
SET LOCAL maintenance_work_mem = '1MB';
SELECT scans('lots') AS before \gset
CREATE TEMP TABLE limited AS
SELECT constraint_name, rows_checked, orphan_rows, missing_keys FROM fk_audit('lots');
-- One scan for dense_id (wide's keys did not fit), one anti-join for
-- dense_id's missing keys and one for wide_id.
SELECT scans('lots') - :before AS scans_in_1mb;
-- fk_orphans() too: wide_id by its anti-join.
SELECT constraint_name, count(*) FROM fk_orphans('lots') GROUP BY 1 ORDER BY 1;
COMMIT;
-- With the default 64MB all of it fits: one scan. Same answers both ways.
BEGIN;
SELECT scans('lots') AS before \gset
CREATE TEMP TABLE roomy AS
SELECT constraint_name, rows_checked, orphan_rows, missing_keys FROM fk_audit('lots');
SELECT scans('lots') - :before AS scans_in_64mb;
COMMIT;
SELECT l.*, l = r AS same_in_64mb, a.audit_right, a.orphans_right, a.same_by_anti_join
FROM limited l JOIN roomy r USING (constraint_name) JOIN audit_vs_reference('lots') a USING (constraint_name)
ORDER BY 1;
DROP TABLE limited, roomy;

-- uuid keys, one of them the value the hash set uses to mark a free slot.
CREATE TABLE devices (id uuid PRIMARY KEY);
INSERT INTO devices VALUES ('ffffffff-ffff-ffff-5a5a-5a5a5a5a5a5a'), ('00000000-0000-0000-0000-000000000000');
INSERT INTO devices SELECT md5(g::text)::uuid FROM generate_series(1, 2000) g;
CREATE TABLE readings (id int PRIMARY KEY, device uuid REFERENCES devices);
SET session_replication_role = replica;
INSERT INTO readings SELECT g, CASE WHEN g % 50 = 0 THEN md5((g + 5000)::text)::uuid
                                    WHEN g % 50 = 1 THEN NULL
                                    WHEN g % 50 = 2 THEN 'ffffffff-ffff-ffff-5a5a-5a5a5a5a5a5a'
                                    WHEN g % 50 = 3 THEN 'ffffffff-ffff-ffff-5a5a-5a5a5a5a5a5b'
                                    ELSE md5((1 + g % 2000)::text)::uuid END
FROM generate_series(1, 5000) g;
RESET session_replication_role;
SELECT * FROM audit_vs_reference('readings');

-- Two integer columns (a tenant and an id, of different widths): MATCH
-- SIMPLE, so a key with a NULL column is not checked; a partitioned child.
CREATE TABLE tenant_users (tenant smallint, id bigint, PRIMARY KEY (tenant, id));
INSERT INTO tenant_users SELECT t, u FROM generate_series(1, 3) t, generate_series(-50, 500) u;
CREATE TABLE posts (id int, tenant int, author bigint,
                    FOREIGN KEY (tenant, author) REFERENCES tenant_users) PARTITION BY RANGE (id);
CREATE TABLE posts_1 PARTITION OF posts FOR VALUES FROM (0) TO (1000);
CREATE TABLE posts_2 PARTITION OF posts FOR VALUES FROM (1000) TO (MAXVALUE);
SET session_replication_role = replica;
INSERT INTO posts SELECT g, CASE WHEN g % 17 = 0 THEN 4 WHEN g % 13 = 0 THEN NULL ELSE 1 + g % 3 END,
                         CASE WHEN g % 19 = 0 THEN 501 + g % 7 WHEN g % 23 = 0 THEN NULL ELSE g % 551 - 50 END
FROM generate_series(1, 3000) g;
RESET session_replication_role;
SELECT * FROM audit_vs_reference('posts');
-- One scan of posts (each partition once) for its key, none to count the rows.
BEGIN;
SELECT scans('posts_1') + scans('posts_2') AS before \gset
SELECT count(*) AS keys FROM fk_audit('posts');
SELECT scans('posts_1') + scans('posts_2') - :before AS audit_scans;
COMMIT;

-- Keys the scan leaves to the anti-join: a MATCH FULL pair (a partly NULL
-- key is an orphan there), a composite of an integer and a uuid, and a
-- numeric one (1.00 matches 1.0 by value, not by its bytes).
CREATE TABLE n_parent (id numeric PRIMARY KEY);
INSERT INTO n_parent VALUES (1.0), (2);
ALTER TABLE mixed ADD UNIQUE (id, small_id);
CREATE TABLE id_uuid (id int, u uuid, PRIMARY KEY (id, u));
INSERT INTO id_uuid VALUES (1, '00000000-0000-0000-0000-000000000001');
CREATE TABLE n_child (id int, n numeric REFERENCES n_parent, m int, o int,
                      FOREIGN KEY (m, o) REFERENCES mixed (id, small_id) MATCH FULL,
                      u uuid, FOREIGN KEY (id, u) REFERENCES id_uuid);
SET session_replication_role = replica;
INSERT INTO n_child VALUES (1, 1.00, 1, 1, '00000000-0000-0000-0000-000000000001'),
                           (2, 3, 2, 2, '00000000-0000-0000-0000-000000000001'),
                           (3, NULL, NULL, 5, NULL);
RESET session_replication_role;
SELECT * FROM audit_vs_reference('n_child');

SET client_min_messages = warning;
DROP SCHEMA fkd_memory CASCADE;
RESET client_min_messages;
