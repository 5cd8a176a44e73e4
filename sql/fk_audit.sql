-- fk_audit(): every key, one status each, with a diagnosis and advice.
CREATE SCHEMA fkd_audit;
SET search_path = fkd_audit, public;

CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE products (id int PRIMARY KEY);
INSERT INTO customers VALUES (1), (2);
INSERT INTO products VALUES (1);
-- Several keys on one table: scanned once for all of them.
CREATE TABLE orders (id int PRIMARY KEY,
    customer_id int REFERENCES customers,
    product_id int REFERENCES products,
    gift_for int REFERENCES customers);
CREATE INDEX ON orders (customer_id);
CREATE TABLE clean (id int PRIMARY KEY, customer_id int REFERENCES customers);
CREATE INDEX ON clean (customer_id);
INSERT INTO clean VALUES (1, 1);
CREATE TABLE late (id int PRIMARY KEY, customer_id int);
CREATE TABLE unenforced (id int PRIMARY KEY, customer_id int REFERENCES customers);
CREATE TABLE replica_only (id int PRIMARY KEY, customer_id int REFERENCES customers);

SET session_replication_role = replica;
INSERT INTO orders VALUES (1, 1, 1, NULL), (2, 7, 1, 9), (3, 7, 5, 9), (4, 8, 1, 2);
INSERT INTO unenforced VALUES (1, 3);
INSERT INTO replica_only VALUES (1, 4);
RESET session_replication_role;
INSERT INTO late VALUES (1, 1), (2, 6);
ALTER TABLE late ADD CONSTRAINT late_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
ALTER TABLE unenforced DISABLE TRIGGER ALL;
SELECT tgname AS replica_trigger FROM pg_trigger
WHERE tgrelid = 'replica_only'::regclass AND tgisinternal LIMIT 1 \gset
ALTER TABLE replica_only ENABLE REPLICA TRIGGER :"replica_trigger";

CREATE VIEW audit AS
SELECT a.constraint_name, a.child_table, a.parent_table, a.rows_checked, a.orphan_rows,
       a.missing_keys, a.status, a.diagnosis, a.advice, a.elapsed_ms >= 0 AS timed
FROM fk_audit() a JOIN pg_class c ON c.oid = a.child_table
WHERE c.relnamespace = 'fkd_audit'::regnamespace;

SELECT constraint_name, child_table, rows_checked, orphan_rows, missing_keys, status, timed FROM audit;
SELECT constraint_name, status, diagnosis FROM audit WHERE diagnosis IS NOT NULL;
SELECT constraint_name, advice FROM audit WHERE advice IS NOT NULL;
SELECT constraint_name, orphan_rows FROM fk_audit('orders');
SELECT count(*) FROM fk_audit('customers');

-- The counts agree with fk_orphans().
SELECT a.constraint_name, a.orphan_rows = count(o.*) AS same_count
FROM audit a LEFT JOIN fk_orphans() o
  ON o.constraint_name = a.constraint_name AND o.child_table = a.child_table
GROUP BY a.constraint_name, a.orphan_rows ORDER BY 1;

-- A key whose check fails is an error row; the other keys of the same table
-- and of other tables are still checked.
\i sql/fixtures/touchy_ops.sql
CREATE TABLE touchy (id int NOT NULL);
CREATE UNIQUE INDEX ON touchy (id touchy_ops);
INSERT INTO touchy VALUES (13);
ALTER TABLE clean ADD COLUMN touchy_id int REFERENCES touchy (id);
SET session_replication_role = replica;
UPDATE clean SET touchy_id = 1;
RESET session_replication_role;
SELECT constraint_name, status, orphan_rows, diagnosis FROM audit WHERE child_table = 'clean'::regclass;
SELECT count(*) AS keys_checked FROM audit WHERE status IN ('ok', 'orphans');

-- Integer keys (customer_id, product_id) are checked in memory, in one
-- scan that also counts the rows. The other keys (MATCH FULL composites
-- here) of a child bigger than
-- effective_cache_size are read once for all of them (reading it again for
-- each key would come from disk); a key with orphans is read again for its
-- distinct missing keys. The answers are the same as key by key; the
-- child's scans are counted in the transaction's statistics. A second
-- composite key makes the one scan worth testing.
CREATE TABLE pairs (a int, b int, UNIQUE (a, b));
INSERT INTO pairs VALUES (1, 1), (2, 1);
CREATE TABLE big (id int PRIMARY KEY,
    customer_id int REFERENCES customers,
    product_id int REFERENCES products,
    a int, b int, FOREIGN KEY (a, b) REFERENCES pairs (a, b) MATCH FULL,
    FOREIGN KEY (b, a) REFERENCES pairs (a, b) MATCH FULL);
SET session_replication_role = replica;
INSERT INTO big
SELECT g, CASE WHEN g % 100 = 0 THEN 50 + g % 300 ELSE 1 + g % 2 END,
       CASE WHEN g % 2 = 0 THEN 1 END,
       CASE WHEN g % 3 > 0 OR g = 9 THEN 1 END, CASE WHEN g = 10 THEN 2 WHEN g % 3 > 0 THEN 1 END
FROM generate_series(1, 600) g;
RESET session_replication_role;
SELECT pg_relation_size('big') > 8192 AS more_than_a_page;
CREATE FUNCTION big_scans() RETURNS bigint LANGUAGE sql
AS $$ SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relid = 'big'::regclass $$;
BEGIN;
SELECT big_scans() AS before \gset
CREATE TEMP TABLE key_by_key AS
SELECT constraint_name, rows_checked, orphan_rows, missing_keys, status FROM fk_audit('big');
SELECT big_scans() - :before AS scans_key_by_key;
SET LOCAL effective_cache_size = '8kB';
SELECT big_scans() AS before \gset
CREATE TEMP TABLE one_scan AS
SELECT constraint_name, rows_checked, orphan_rows, missing_keys, status FROM fk_audit('big');
SELECT big_scans() - :before AS scans_in_one_scan;
COMMIT;
SELECT o.*, o = k AS same_as_key_by_key FROM one_scan o JOIN key_by_key k USING (constraint_name)
ORDER BY constraint_name;
-- If the one scan fails, each key is checked alone: only the bad key is an
-- error. Five scans: the integer keys' scan, the failed one, and one per
-- other key.
ALTER TABLE big ADD COLUMN touchy_id int REFERENCES touchy (id);
SET session_replication_role = replica;
UPDATE big SET touchy_id = 1 WHERE id = 1;
RESET session_replication_role;
BEGIN;
SET LOCAL effective_cache_size = '8kB';
SET LOCAL enable_mergejoin = off;  -- a merge join compares with btint4cmp, not ===
SELECT big_scans() AS before \gset
SELECT constraint_name, orphan_rows, status, diagnosis FROM fk_audit('big') ORDER BY 1;
SELECT big_scans() - :before AS scans_after_a_failed_scan;
COMMIT;
DROP TABLE big, pairs, key_by_key, one_scan;
DROP FUNCTION big_scans();

-- Privileges and row-level security: skipped, never false orphans.
CREATE ROLE regress_fkd_auditor;
GRANT USAGE ON SCHEMA fkd_audit TO regress_fkd_auditor;
GRANT SELECT ON orders, clean TO regress_fkd_auditor;
GRANT SELECT ON customers TO regress_fkd_auditor;
ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY some_customers ON customers USING (id = 1);
SET ROLE regress_fkd_auditor;
SELECT constraint_name, status, orphan_rows, diagnosis FROM fk_audit('orders');
RESET ROLE;

-- The history: a run, its rows, and what changed since the previous run.
SELECT fk_audit_record() AS first_run \gset
DELETE FROM orders WHERE customer_id = 8;
SET session_replication_role = replica;
INSERT INTO clean VALUES (2, 5, NULL);
RESET session_replication_role;
SELECT fk_audit_record() AS second_run \gset
SELECT :second_run > :first_run AS newer;
SELECT keys_checked > 0 AS checked, keys_with_orphans > 0 AS found, finished_at >= started_at AS finished
FROM fk_audit_run WHERE run_id = :second_run;
SELECT constraint_name, orphans_before, orphans_now, status_before, status_now, change
FROM fk_audit_changes WHERE child_table LIKE 'fkd_audit.%' ORDER BY child_table, constraint_name;
-- Retention is one statement.
DELETE FROM fk_audit_run WHERE run_id < :second_run;
SELECT count(*) AS runs_left, (SELECT count(DISTINCT run_id) FROM fk_audit_log) AS logged_runs FROM fk_audit_run;
-- pg_dump keeps the history.
SELECT c.relname FROM pg_extension e, unnest(e.extconfig) t(oid) JOIN pg_class c ON c.oid = t.oid
WHERE e.extname = 'fkdoctor' ORDER BY 1;

DELETE FROM fk_audit_run;
SET client_min_messages = warning;
DROP SCHEMA fkd_audit CASCADE;
DROP ROLE regress_fkd_auditor;
RESET client_min_messages;
