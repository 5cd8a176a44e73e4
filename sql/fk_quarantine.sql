-- fk_repairs(rel, 'quarantine') moves orphans (and the rows ON DELETE
-- CASCADE would delete with them) into fk_quarantine; fk_restore(batch)
-- puts them back exactly. PostgreSQL's VALIDATE CONSTRAINT judges.
\set VERBOSITY default
-- Batch numbers as this file expects them, whatever ran before.
SELECT setval('fk_quarantine_batch_seq', 100, false);
CREATE ROLE fkd_q_owner;
CREATE ROLE fkd_q_other;
CREATE SCHEMA fkd_q AUTHORIZATION fkd_q_owner;
GRANT USAGE ON SCHEMA fkd_q TO fkd_q_other;
SET search_path = fkd_q, public;
SET ROLE fkd_q_owner;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pair AS (a int, b text);
CREATE TABLE customers (id int PRIMARY KEY);
-- Every kind of value whose text form could lose something: floats,
-- numerics' scale, time zones and styles, json's spacing, arrays and
-- composites with quotes and NULLs; an identity and a generated column.
CREATE TABLE orders (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id int,
    f8 float8, f4 real, num numeric, money_v money,
    ts timestamp, tstz timestamptz, d date, iv interval, t time, ttz timetz,
    txt text, ch char(6), by bytea, js json, jb jsonb,
    u uuid, ip inet, bits varbit, b bool, m mood, p pair,
    ints int[], texts text[], r int4range, pt point,
    doubled numeric GENERATED ALWAYS AS (num * 2) STORED);
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
-- Rows ON DELETE CASCADE would delete with the orphans, two levels down.
CREATE TABLE order_lines (
    order_id int REFERENCES orders ON DELETE CASCADE,
    line int, note text, PRIMARY KEY (order_id, line));
CREATE TABLE line_notes (
    order_id int, line int, body text,
    FOREIGN KEY (order_id, line) REFERENCES order_lines ON DELETE CASCADE);
INSERT INTO customers VALUES (1);
RESET ROLE;
SET session_replication_role = replica;
SET ROLE fkd_q_owner;
INSERT INTO orders (customer_id, f8, f4, num, money_v, ts, tstz, d, iv, t, ttz, txt, ch, by,
                    js, jb, u, ip, bits, b, m, p, ints, texts, r, pt) VALUES
    (1, 0.1, 0.1, 1.50, 12.34, '2024-02-29 12:34:56.789', '2024-06-01 00:00:00+02',
     '2024-01-02', '1 day 02:03:04', '23:59:59.999999', '12:00+05:30', 'kept', 'ab',
     '\x00ff', '{"a": 1,  "a": 2}', '{"k": [1, 2]}',
     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '10.0.0.1/8', B'101', true, 'ok', ROW(1, 'x'),
     '{1,NULL,3}', '{"a b",NULL,"q\"uote"}', '[1,5)', '(1.5,2.25)'),
    (42, -0.0, 'NaN', 0.10000, -5.00, '0044-03-15 12:00:00 BC', 'infinity', '-infinity',
     '-1 year -2 mons +3 days -04:05:06.5', '00:00', '00:00:01-12', E'tab\there "quoted" \\',
     'x', '\x', '[ 1 ,2 ]', '{}', NULL, '::1', B'',
     false, 'happy', ROW(NULL, 'with "quote", comma'), '{}', '{"",NULL}', 'empty',
     '(-0,1e-300)'),
    (42, 1e300, 3.4e38, 123456789012345678901234567890.123456789, 0, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'null', NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL),
    (43, 2.5e-310, -1.17549435e-38, 'NaN', 1, '2000-01-01', '1999-12-31 23:59:59.5-08',
     '2000-02-29', '100 years', '24:00', '24:00-15:59', '', '', '\xdeadbeef', '"s"', '"s"',
     '00000000-0000-0000-0000-000000000000', '2001:db8::/32', B'0', NULL, 'sad',
     ROW(2, ''), '{{1,2},{3,4}}', '{"{}",","}', '(,)', '(0,0)');
INSERT INTO order_lines VALUES (2, 1, 'line of an orphan'), (2, 2, NULL), (3, 1, 'x'),
    (1, 1, 'line of a good order');
INSERT INTO line_notes VALUES (2, 1, 'note below an orphan'), (1, 1, 'kept');
RESET ROLE;
RESET session_replication_role;

-- The rows as text under fixed settings, to compare before and after.
CREATE FUNCTION fkd_q.fingerprint() RETURNS TABLE (tab text, rows bigint, digest text)
LANGUAGE sql SET DateStyle = 'ISO, YMD' SET IntervalStyle = 'postgres'
SET extra_float_digits = 3 SET TimeZone = 'UTC' SET lc_monetary = 'C' AS $$
    SELECT 'orders', count(*), md5(string_agg(o::text, '|' ORDER BY o.id)) FROM fkd_q.orders o
    UNION ALL SELECT 'order_lines', count(*), md5(string_agg(l::text, '|' ORDER BY l.order_id, l.line)) FROM fkd_q.order_lines l
    UNION ALL SELECT 'line_notes', count(*), md5(string_agg(n::text, '|' ORDER BY n.body)) FROM fkd_q.line_notes n
$$;
CREATE TABLE fkd_q.before AS SELECT * FROM fkd_q.fingerprint();

-- The session's own settings must not matter.
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET extra_float_digits = -15;
SET TimeZone = 'Pacific/Chatham';

SELECT constraint_name, step, strategy, rows_affected, note FROM fk_repairs('orders', 'quarantine');
SELECT regexp_replace(statement, 'SELECT \d+,', 'SELECT <batch>,', 'g') AS statement
FROM fk_repairs('orders', 'quarantine') WHERE step = 'repair';

BEGIN;
SELECT statement FROM fk_repairs('orders', 'quarantine') \gexec
COMMIT;
-- PostgreSQL judges: every key holds now (the NOT VALID key was validated
-- above; the others are checked again from scratch).
BEGIN;
ALTER TABLE order_lines DROP CONSTRAINT order_lines_order_id_fkey,
    ADD CONSTRAINT order_lines_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders ON DELETE CASCADE;
ALTER TABLE line_notes DROP CONSTRAINT line_notes_order_id_line_fkey,
    ADD CONSTRAINT line_notes_order_id_line_fkey FOREIGN KEY (order_id, line) REFERENCES order_lines ON DELETE CASCADE;
ROLLBACK;
SELECT convalidated FROM pg_constraint WHERE conname = 'orders_customer_id_fkey';
SELECT count(*) AS orphans_left FROM fk_orphans();
SELECT id, customer_id FROM orders ORDER BY id;
SELECT order_id, line FROM order_lines ORDER BY 1, 2;
SELECT body FROM line_notes ORDER BY 1;
-- One batch: the orphans at level 0, what CASCADE would have deleted below.
SELECT count(DISTINCT batch) AS batches, child_table, constraint_name, level, missing_key,
       count(*) AS rows
FROM fk_quarantine GROUP BY child_table, constraint_name, level, missing_key
ORDER BY level, child_table, missing_key::text;
SELECT batch AS quarantined_batch FROM fk_quarantine LIMIT 1 \gset

-- Who sees the rows: whoever may read the table they came from.
SET ROLE fkd_q_other;
SELECT count(*) AS other_sees FROM fk_quarantine;
-- ... and writes them: only the owner of that table (the quarantine
-- statement runs as the owner).
INSERT INTO fk_quarantine (batch, child_table, constraint_name, row_data)
VALUES (1, 'fkd_q.orders', 'x', '(1)');
-- Restoring turns triggers off: a superuser's right.
SELECT fk_restore(:quarantined_batch);
RESET ROLE;
SET ROLE fkd_q_owner;
SELECT count(*) AS owner_sees FROM fk_quarantine;
RESET ROLE;
GRANT SELECT ON orders TO fkd_q_other;
SET ROLE fkd_q_other;
SELECT count(*) AS reader_of_orders_sees FROM fk_quarantine;
RESET ROLE;

-- Restore: every row back exactly (identity values kept, generated
-- columns computed again), and the orphans are orphans again.
SELECT fk_restore(:quarantined_batch) AS restored;
SELECT count(*) AS left_in_quarantine FROM fk_quarantine;
RESET DateStyle; RESET IntervalStyle; RESET extra_float_digits; RESET TimeZone;
SELECT f.tab, f.rows, f.digest = b.digest AS same
FROM fkd_q.fingerprint() f JOIN fkd_q.before b USING (tab) ORDER BY 1;
SELECT constraint_name, missing_key FROM fk_orphans('orders') ORDER BY 2::text;
SELECT fk_restore(:quarantined_batch);
-- The identity column's sequence was not used by the restore.
INSERT INTO customers VALUES (42), (43);
SET ROLE fkd_q_owner;
INSERT INTO orders (customer_id) VALUES (1) RETURNING id;
RESET ROLE;

-- A partitioned child: each row goes back to its partition.
CREATE TABLE fkd_q.parts (id int, customer_id int REFERENCES customers, label text)
    PARTITION BY RANGE (id);
CREATE TABLE fkd_q.parts_low PARTITION OF fkd_q.parts FOR VALUES FROM (0) TO (100);
CREATE TABLE fkd_q.parts_high PARTITION OF fkd_q.parts FOR VALUES FROM (100) TO (1000);
SET session_replication_role = replica;
INSERT INTO fkd_q.parts VALUES (1, 1, 'good'), (2, 7, 'low orphan'), (200, 8, 'high orphan');
RESET session_replication_role;
SELECT statement FROM fk_repairs('fkd_q.parts', 'quarantine') \gexec
SELECT tableoid::regclass, * FROM fkd_q.parts ORDER BY id;
SELECT child_table, missing_key, row_data FROM fk_quarantine ORDER BY row_data;
SELECT batch AS parts_batch FROM fk_quarantine LIMIT 1 \gset
SELECT fk_restore(:parts_batch) AS restored;
SELECT tableoid::regclass, * FROM fkd_q.parts ORDER BY id;

-- What quarantine cannot capture is not proposed: a table of another owner
-- below the orphans.
SET session_replication_role = replica;
INSERT INTO customers VALUES (1000);
SET ROLE fkd_q_owner;
INSERT INTO orders (customer_id) VALUES (1000);
RESET ROLE;
DELETE FROM customers WHERE id = 1000;
RESET session_replication_role;
GRANT REFERENCES ON orders TO fkd_q_other;
CREATE TABLE fkd_q.order_audit (order_id int REFERENCES fkd_q.orders ON DELETE CASCADE);
ALTER TABLE fkd_q.order_audit OWNER TO fkd_q_other;
SELECT fk_repairs('fkd_q.orders', 'quarantine');
DROP TABLE fkd_q.order_audit;
CREATE TABLE fkd_q.tree (id int PRIMARY KEY, up int REFERENCES fkd_q.tree ON DELETE CASCADE,
    customer_id int REFERENCES customers);
SET session_replication_role = replica;
INSERT INTO fkd_q.tree VALUES (1, NULL, 99), (2, 1, 1);
RESET session_replication_role;
-- (Nor is insert_parent: its INSERT runs as the owner of customers, who may
-- not read fkd_q.tree, and its trial run says so.)
SELECT constraint_name, strategy, statement IS NULL AS by_hand, note
FROM fk_repairs('fkd_q.tree') WHERE constraint_name = 'tree_customer_id_fkey';
-- A self-referencing tree: the rows below the orphan go with it (at level 0).
SELECT statement FROM fk_repairs('fkd_q.tree', 'quarantine') \gexec
SELECT count(*) AS tree_rows_left FROM fkd_q.tree;
SELECT constraint_name, level, row_data FROM fk_quarantine ORDER BY row_data;
SELECT fk_restore(batch) FROM (SELECT DISTINCT batch FROM fk_quarantine) b;
SELECT * FROM fkd_q.tree ORDER BY id;
DELETE FROM fkd_q.tree;

SET client_min_messages = warning;
DROP SCHEMA fkd_q CASCADE;
RESET client_min_messages;
DROP ROLE fkd_q_owner;
DROP ROLE fkd_q_other;
