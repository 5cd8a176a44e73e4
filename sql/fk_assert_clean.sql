-- fk_assert_clean(): quiet on clean data, PostgreSQL's own 23503 otherwise.
CREATE SCHEMA fkd_assert;
SET search_path = fkd_assert, public;
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers);
CREATE TABLE slots (a int, b int, PRIMARY KEY (a, b));
CREATE TABLE bookings (id int PRIMARY KEY, a int, b int, FOREIGN KEY (a, b) REFERENCES slots MATCH FULL);
INSERT INTO customers VALUES (1);
INSERT INTO orders VALUES (1, 1);

SELECT fk_assert_clean('orders');
SELECT fk_assert_clean('customers');

SET session_replication_role = replica;
INSERT INTO orders VALUES (2, 42), (3, 43), (4, 43);
INSERT INTO bookings VALUES (1, 7, NULL);
RESET session_replication_role;

SELECT fk_assert_clean('orders');
SELECT fk_assert_clean('bookings');

-- What a test suite or a migration script sees.
DO $$
DECLARE
    state text; message text; detail text; tab text; con text;
BEGIN
    PERFORM fk_assert_clean('fkd_assert.orders');
    RAISE NOTICE 'not reached';
EXCEPTION WHEN foreign_key_violation THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
        detail = PG_EXCEPTION_DETAIL, tab = TABLE_NAME, con = CONSTRAINT_NAME;
    RAISE NOTICE 'caught % on table % constraint %', state, tab, con;
END $$;

SET session_replication_role = replica;
DELETE FROM orders WHERE customer_id > 1;
DELETE FROM bookings;
RESET session_replication_role;
SELECT fk_assert_clean('orders');
SELECT fk_assert_clean('bookings');

SET client_min_messages = warning;
DROP SCHEMA fkd_assert CASCADE;
RESET client_min_messages;
