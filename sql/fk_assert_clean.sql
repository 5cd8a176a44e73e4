-- fk_assert_clean(): quiet on clean data, PostgreSQL's own 23503 otherwise.
\set VERBOSITY default
CREATE SCHEMA fkd_assert;
SET search_path = fkd_assert, public;
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE products (code char(4) PRIMARY KEY);
CREATE TABLE orders (
    id int PRIMARY KEY,
    customer_id int REFERENCES customers,
    product_code char(4) REFERENCES products);
CREATE TABLE slots (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE bookings (id int PRIMARY KEY, a int, b int, FOREIGN KEY (a, b) REFERENCES slots MATCH FULL);
CREATE TABLE "Line Items" (id int PRIMARY KEY, "Order Id" int REFERENCES orders);
INSERT INTO customers VALUES (1);
INSERT INTO products VALUES ('ab');
INSERT INTO orders VALUES (1, 1, 'ab'), (2, NULL, NULL);
INSERT INTO "Line Items" VALUES (1, 1);

-- Clean data, a table without keys, a view: nothing to say.
SELECT fk_assert_clean('orders');
SELECT fk_assert_clean('customers');
CREATE VIEW a_view AS SELECT 1;
SELECT fk_assert_clean('a_view');

SET session_replication_role = replica;
INSERT INTO orders VALUES (3, 42, 'ab'), (4, 43, 'ab'), (5, 43, 'ab');
INSERT INTO bookings VALUES (1, 7, NULL);
INSERT INTO "Line Items" VALUES (2, 99);
RESET session_replication_role;

-- One key with orphans: the first orphan, and how many more there are.
SELECT fk_assert_clean('orders');
SELECT fk_assert_clean('bookings');
SELECT fk_assert_clean('"Line Items"');
-- PostgreSQL's own words for the same orphans, when it checks the keys again.
BEGIN;
ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey,
    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers;
ROLLBACK;
BEGIN;
ALTER TABLE bookings DROP CONSTRAINT bookings_a_b_fkey,
    ADD CONSTRAINT bookings_a_b_fkey FOREIGN KEY (a, b) REFERENCES slots MATCH FULL;
ROLLBACK;
BEGIN;
ALTER TABLE "Line Items" DROP CONSTRAINT "Line Items_Order Id_fkey",
    ADD CONSTRAINT "Line Items_Order Id_fkey" FOREIGN KEY ("Order Id") REFERENCES orders;
ROLLBACK;

-- Orphans of several keys: the count covers them all. Values are shown as
-- PostgreSQL shows them (char(4) keeps its padding).
SET session_replication_role = replica;
INSERT INTO orders VALUES (6, 1, 'zz'), (7, 1, 'zz');
RESET session_replication_role;
SELECT fk_assert_clean('orders');
DELETE FROM orders WHERE customer_id > 1;
SELECT fk_assert_clean('orders');
BEGIN;
ALTER TABLE orders DROP CONSTRAINT orders_product_code_fkey,
    ADD CONSTRAINT orders_product_code_fkey FOREIGN KEY (product_code) REFERENCES products;
ROLLBACK;

-- What a test suite or a migration script sees: SQLSTATE 23503 and the
-- error's schema, table and constraint fields.
DO $$
DECLARE
    state text; detail text; nsp text; tab text; con text;
BEGIN
    PERFORM fk_assert_clean('fkd_assert.orders');
    RAISE NOTICE 'not reached';
EXCEPTION WHEN foreign_key_violation THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL,
        nsp = SCHEMA_NAME, tab = TABLE_NAME, con = CONSTRAINT_NAME;
    RAISE NOTICE 'caught % on %.% constraint %: %', state, nsp, tab, con, detail;
END $$;

-- A threshold: up to max_orphans orphan rows in all pass (with a NOTICE);
-- one more fails, and the message says how many there are and the limit.
-- Four orphan rows: orders 2 (product 'zz'), bookings 1, "Line Items" 1.
SELECT count(*) AS orphans FROM fk_orphans();
SELECT fk_assert_clean(NULL, 4);
SELECT fk_assert_clean(NULL, 3);
SELECT fk_assert_clean('orders', 2);
SELECT fk_assert_clean('orders', 1);
SELECT fk_assert_clean('orders', max_orphans => 0);
-- A missing or negative threshold is a mistake, not "no limit".
SELECT fk_assert_clean('orders', NULL);
SELECT fk_assert_clean(NULL, -1);
-- A threshold on clean data: quiet.
SELECT fk_assert_clean('customers', 5);

-- Repaired: quiet again.
DELETE FROM orders WHERE product_code = 'zz';
DELETE FROM bookings;
DELETE FROM "Line Items" WHERE "Order Id" = 99;
SELECT fk_assert_clean('orders');
SELECT fk_assert_clean('bookings');
SELECT fk_assert_clean('"Line Items"');

-- Bad input: a missing table.
\set VERBOSITY terse
SELECT fk_assert_clean('no_such_table');
\set VERBOSITY default

SET client_min_messages = warning;
DROP SCHEMA fkd_assert CASCADE;
RESET client_min_messages;
-- An assertion is VOLATILE: a query that does not use its (void) result
-- still runs it.
SELECT provolatile FROM pg_proc WHERE proname = 'fk_assert_clean';
