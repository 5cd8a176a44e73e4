-- PostgreSQL 18's NOT ENFORCED foreign keys (conenforced = false): no RI
-- triggers, never validated, and VALIDATE CONSTRAINT is an error on them.
-- Declared, not damaged: fkdoctor says so, finds their orphans, and repairs
-- them ending with ALTER CONSTRAINT ... ENFORCED. And NOT VALID NOT NULL
-- constraints (18), which leave attnotnull true while NULLs are stored.
-- Run on 18 only.
CREATE SCHEMA ne18;
SET search_path = ne18, public;
CREATE TABLE customers (id int PRIMARY KEY);
INSERT INTO customers VALUES (1), (2);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int
    REFERENCES customers NOT ENFORCED);
INSERT INTO orders VALUES (1, 1), (2, 7), (3, NULL), (4, 8), (5, 8);
SELECT conenforced, convalidated,
       (SELECT count(*) FROM pg_trigger WHERE tgconstraint = c.oid) AS triggers
FROM pg_constraint c WHERE conname = 'orders_customer_id_fkey';
SELECT constraint_name, validated, enforcement, period_column FROM fk_constraints('orders');
SELECT child_key, missing_key FROM fk_orphans('orders') ORDER BY 1;
SELECT orphan_rows, missing_keys, status, diagnosis, advice FROM fk_audit('orders');
SELECT "check", severity, detail, fix FROM fk_lint('orders') WHERE "check" <> 'unindexed';
-- It is checked like any key: its orphans are data that breaks it.
SELECT fk_assert_clean('orders');
-- VALIDATE CONSTRAINT is refused; the statement that enforces it is ENFORCED.
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;
SELECT step, strategy, statement, rows_affected, note FROM fk_repairs('orders');
SELECT step, strategy, statement FROM fk_repairs('orders', 'delete');
-- The repairs run, then PostgreSQL enforces the key and finds nothing.
BEGIN;
SELECT statement FROM fk_repairs('orders', 'delete') \gexec
SELECT conenforced, convalidated FROM pg_constraint WHERE conname = 'orders_customer_id_fkey';
SELECT constraint_name, validated, enforcement FROM fk_constraints('orders');
SELECT id FROM orders ORDER BY id;
SELECT count(*) AS repairs_left FROM fk_repairs('orders');
ROLLBACK;
-- Enforcing it before the repairs fails on the first orphan, as the note says.
ALTER TABLE orders ALTER CONSTRAINT orders_customer_id_fkey ENFORCED;
-- A key a person must repair: the ENFORCED step waits in the note.
CREATE TABLE accounts (id int PRIMARY KEY, owner_id int NOT NULL);
CREATE TABLE ledger (id int PRIMARY KEY, account_id int NOT NULL
    REFERENCES accounts NOT ENFORCED);
INSERT INTO ledger VALUES (1, 5);
SELECT step, strategy, statement, note FROM fk_repairs('ledger');
-- A partitioned child with a NOT ENFORCED key: one key, its orphans found in
-- the partitions.
CREATE TABLE events (id int, customer_id int REFERENCES customers NOT ENFORCED)
    PARTITION BY RANGE (id);
CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO (10);
CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (10) TO (20);
INSERT INTO events VALUES (1, 1), (2, 9), (12, 9), (13, 2);
SELECT constraint_name, enforcement FROM fk_constraints('events');
SELECT child_table, missing_key FROM fk_orphans('events') ORDER BY 1;
SELECT orphan_rows, status FROM fk_audit('events');
BEGIN;
SELECT statement FROM fk_repairs('events', 'delete') \gexec
SELECT count(*) AS not_enforced_left FROM pg_constraint
WHERE conrelid IN ('events'::regclass, 'events_1'::regclass, 'events_2'::regclass)
  AND contype = 'f' AND NOT conenforced;
ROLLBACK;

-- NOT VALID NOT NULL: new NULLs are refused, stored ones stay, and the
-- column is not safe for a MATCH SIMPLE key.
CREATE TABLE regions (code text, zone int, PRIMARY KEY (code, zone));
CREATE TABLE shops (id int PRIMARY KEY, code text, zone int,
    FOREIGN KEY (code, zone) REFERENCES regions);
INSERT INTO regions VALUES ('a', 1);
INSERT INTO shops VALUES (1, 'a', 1), (2, 'b', NULL);
ALTER TABLE shops ALTER COLUMN code SET NOT NULL;
ALTER TABLE shops ADD CONSTRAINT shops_zone_not_null NOT NULL zone NOT VALID;
SELECT attname, attnotnull FROM pg_attribute
WHERE attrelid = 'shops'::regclass AND attname IN ('code', 'zone') ORDER BY 1;
SELECT "check", detail FROM fk_lint('shops') WHERE "check" = 'nullable_composite';
-- Once validated, the column is safe.
DELETE FROM shops WHERE zone IS NULL;
ALTER TABLE shops VALIDATE CONSTRAINT shops_zone_not_null;
SELECT count(*) AS nullable_findings FROM fk_lint('shops') WHERE "check" = 'nullable_composite';

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA ne18 CASCADE;
RESET client_min_messages;
