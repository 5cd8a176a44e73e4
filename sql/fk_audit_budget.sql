-- fk_audit_record(time_budget): a child read in ranges of heap blocks, run
-- after run, each pass summing to what one fk_audit() finds.
CREATE SCHEMA fkd_budget;
SET search_path = fkd_budget, public;

-- The history of the tests before.
DELETE FROM fk_audit_run;

-- Bad input: clear errors, nothing recorded.
SELECT fk_audit_record(NULL);
SELECT fk_audit_record('0');
SELECT fk_audit_record('-5 minutes');

CREATE TABLE customers (id int PRIMARY KEY);
INSERT INTO customers SELECT generate_series(1, 100);
CREATE TABLE lonely (id int);
CREATE VIEW changes AS
SELECT * FROM fk_audit_changes WHERE child_table LIKE 'fkd\_budget.%';
-- A partitioned child: ranges are cut per leaf partition; one is empty.
CREATE TABLE orders (id int, customer_id int REFERENCES customers, note text)
    PARTITION BY RANGE (id);
-- Room in each page, so that an UPDATE below keeps its row in its block.
CREATE TABLE orders_low PARTITION OF orders FOR VALUES FROM (0) TO (5000) WITH (fillfactor = 90);
CREATE TABLE orders_high PARTITION OF orders FOR VALUES FROM (5000) TO (10000) WITH (fillfactor = 90);
CREATE TABLE orders_empty PARTITION OF orders FOR VALUES FROM (10000) TO (20000);
SET session_replication_role = replica;
-- Every 50th order references a customer that does not exist.
INSERT INTO orders SELECT g, CASE WHEN g % 50 = 0 THEN 1000 + g ELSE g % 100 + 1 END, repeat('n', 100)
FROM generate_series(1, 9999) g;
RESET session_replication_role;

SELECT fk_audit_blocks(NULL, 'orders_low', 0, 1);
SELECT fk_audit_blocks('orders', NULL, 0, 1);
SELECT fk_audit_blocks('orders', 'orders', 0, 1);
SELECT fk_audit_blocks('orders', 'customers', 0, 1);
SELECT fk_audit_blocks('orders', 'orders_low', -1, 1);
SELECT fk_audit_blocks('orders', 'orders_low', 5, 5);
SELECT fk_audit_blocks('orders', 'orders_low', 0, 4294967297);
SELECT fk_audit_blocks('lonely', 'lonely', 0, 1);
SELECT fk_audit_record('1 hour', 'lonely');
SELECT fk_audit_record('1 hour', 'customers');
SELECT count(*) AS runs FROM fk_audit_run;

-- Blocks of a leaf: the anti-join and the in-memory check agree.
SELECT constraint_name, child_table, rows_checked, orphan_rows, missing_keys, status
FROM fk_audit_blocks('orders', 'orders_low', 0, 10);
SET fkdoctor.check_in_memory = off;
SELECT constraint_name, child_table, rows_checked, orphan_rows, missing_keys, status
FROM fk_audit_blocks('orders', 'orders_low', 0, 10);
RESET fkdoctor.check_in_memory;
SELECT count(*) AS truth FROM ONLY orders_low o
WHERE o.ctid < '(10,0)' AND NOT EXISTS (SELECT FROM customers c WHERE c.id = o.customer_id);

-- Ranges of 40 blocks, and a budget so small that each run reads one range.
SET fkdoctor.audit_range_blocks = 40;
SELECT pg_relation_size('orders_low') / 8192 AS low_blocks,
       pg_relation_size('orders_high') / 8192 AS high_blocks;
SELECT fk_audit_record('1 microsecond', 'orders') AS run \gset
SELECT time_budget, keys_checked, keys_with_orphans FROM fk_audit_run WHERE run_id = :run;
SELECT child_table, heaps, heap_blocks, blocks_total, blocks_done, next_heap, next_block,
       finished_run IS NULL AS unfinished
FROM fk_audit_pass;
SELECT constraint_name, child_table, heap, first_block, end_block, orphan_rows, status
FROM fk_audit_range ORDER BY heap, first_block;
SELECT constraint_name, child_table, rows_checked, orphan_rows, missing_keys, status,
       pass_id IS NOT NULL AS partial, blocks_checked, blocks_total
FROM fk_audit_log WHERE run_id = :run;
-- A partial run is no result: nothing changed, nothing covered.
SELECT count(*) AS changes FROM changes;
SELECT count(*) AS covered FROM fk_audit_coverage;

-- More runs, one range each. Between two of them, changes to blocks not
-- read yet (orders_low is read last): two orphans deleted, one made. The
-- pass then sums to what fk_audit() finds now.
SELECT fk_audit_record('1 microsecond', 'orders') IS NOT NULL AS recorded;
DELETE FROM orders WHERE id IN (50, 100);
SET session_replication_role = replica;
UPDATE orders SET customer_id = 5000 WHERE id = 60;
RESET session_replication_role;
DO $$
BEGIN
    WHILE EXISTS (SELECT FROM fk_audit_pass WHERE finished_at IS NULL) LOOP
        PERFORM fk_audit_record('1 microsecond', 'orders');
    END LOOP;
END $$;
SELECT count(*) AS runs, count(*) FILTER (WHERE time_budget IS NOT NULL) AS budgeted FROM fk_audit_run;
SELECT heap, count(*) AS ranges, min(first_block), max(end_block), sum(orphan_rows) AS orphan_rows
FROM fk_audit_range GROUP BY heap ORDER BY heap;
SELECT child_table, constraint_name, runs, ranges, blocks_total, rows_checked, orphan_rows,
       missing_keys, status, finished_run = (SELECT max(run_id) FROM fk_audit_run) AS by_last_run
FROM fk_audit_coverage;
SELECT constraint_name, rows_checked, orphan_rows, status FROM fk_audit('orders');
SELECT child_table, constraint_name, previous_run, orphans_before, orphans_now, change
FROM changes;

-- The next pass starts over; a run that covers only part of it is no
-- result: the change is still the last pass's, not "repaired".
DELETE FROM orders o WHERE NOT EXISTS (SELECT FROM customers c WHERE c.id = o.customer_id);
SELECT fk_audit_record('1 microsecond', 'orders') IS NOT NULL AS recorded;
SELECT count(*) AS passes, count(*) FILTER (WHERE finished_at IS NULL) AS unfinished FROM fk_audit_pass;
SELECT orphans_before, orphans_now, change FROM changes;
-- With the pass done (ranges of any size now), the key is repaired.
RESET fkdoctor.audit_range_blocks;
SELECT fk_audit_record('1 hour', 'orders') IS NOT NULL AS recorded;
SELECT orphan_rows, status FROM fk_audit_coverage;
SELECT orphans_before, orphans_now, change FROM changes;
-- Unbudgeted runs and passes are results alike.
SET session_replication_role = replica;
INSERT INTO orders VALUES (1, 555, 'again');
RESET session_replication_role;
SELECT fk_audit_record() IS NOT NULL AS recorded;
SELECT orphans_before, orphans_now, change FROM changes;

ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;
SELECT fk_audit_record() IS NOT NULL AS recorded;
SELECT orphans_before, orphans_now, change FROM changes;

-- Nothing is running: no progress to show.
SELECT count(*) AS running FROM fk_audit_progress;

DROP SCHEMA fkd_budget CASCADE;
DELETE FROM fk_audit_run;
RESET search_path;
