-- fk_repairs(): statements that repair the orphans, reviewed then run.
CREATE SCHEMA fkd_repairs;
SET search_path = fkd_repairs, public;

CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL DEFAULT 'unknown');
CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL);
INSERT INTO customers VALUES (1, 'a'), (2, 'b');
INSERT INTO products VALUES (1, 'p1'), (2, 'p2');
-- NO ACTION, parent accepts bare keys: insert_parent by default.
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers);
-- Cross-type (int referencing bigint), ON DELETE SET NULL.
CREATE TABLE reviews (id int PRIMARY KEY, product_id int REFERENCES products ON DELETE SET NULL);
-- ON DELETE SET DEFAULT whose default references an existing parent.
CREATE TABLE wishes (id int PRIMARY KEY, product_id bigint DEFAULT 1 REFERENCES products ON DELETE SET DEFAULT);
-- NO ACTION, and the parent needs a name: a person must choose.
CREATE TABLE order_items (id int PRIMARY KEY, product_id bigint NOT NULL REFERENCES products);
-- ON DELETE CASCADE, composite, MATCH FULL, self-reference.
CREATE TABLE slots (a int, b int, PRIMARY KEY (a, b));
INSERT INTO slots VALUES (1, 1);
CREATE TABLE bookings (id int PRIMARY KEY, a int, b int,
    FOREIGN KEY (a, b) REFERENCES slots MATCH FULL ON DELETE CASCADE);
CREATE TABLE staff (id int PRIMARY KEY, boss_id int REFERENCES staff);
-- Quoted names, NOT VALID, disabled triggers.
CREATE TABLE "Odd ""Parent""" ("Key" text PRIMARY KEY);
CREATE TABLE "Odd Child" (id int PRIMARY KEY, "the key" text NOT NULL);
-- Partitioned child and parent; inheritance.
CREATE TABLE regions (code text PRIMARY KEY) PARTITION BY LIST (code);
CREATE TABLE regions_all PARTITION OF regions DEFAULT;
INSERT INTO regions VALUES ('de');
CREATE TABLE visits (id int, region text REFERENCES regions ON DELETE CASCADE, PRIMARY KEY (id))
    PARTITION BY RANGE (id);
CREATE TABLE visits_1 PARTITION OF visits FOR VALUES FROM (0) TO (100);
CREATE TABLE visits_2 PARTITION OF visits FOR VALUES FROM (100) TO (200);
CREATE TABLE animals (id int PRIMARY KEY);
CREATE TABLE dogs () INHERITS (animals);
INSERT INTO animals VALUES (1);
INSERT INTO dogs VALUES (2);
CREATE TABLE pets (id int PRIMARY KEY, animal_id int REFERENCES animals ON DELETE CASCADE);
CREATE TABLE pet_extras () INHERITS (pets);

SET session_replication_role = replica;
INSERT INTO orders VALUES (1, 1), (2, 7), (3, 7), (4, 8), (5, NULL);
INSERT INTO reviews VALUES (1, 1), (2, 9);
INSERT INTO order_items VALUES (1, 2), (2, 30);
INSERT INTO wishes VALUES (1, 2), (2, 5);
INSERT INTO bookings VALUES (1, 1, 1), (2, 1, 2), (3, 5, NULL), (4, NULL, NULL);
INSERT INTO staff VALUES (1, NULL), (2, 1), (3, 99);
INSERT INTO "Odd ""Parent""" VALUES ('x');
INSERT INTO "Odd Child" VALUES (1, 'x'), (2, 'it''s missing');
INSERT INTO visits VALUES (1, 'de'), (2, 'fr'), (150, 'us');
INSERT INTO pets VALUES (1, 1), (2, 2);
INSERT INTO pet_extras VALUES (3, 77);
RESET session_replication_role;
ALTER TABLE "Odd Child" ADD CONSTRAINT "odd; key" FOREIGN KEY ("the key") REFERENCES "Odd ""Parent""" NOT VALID;
ALTER TABLE staff DISABLE TRIGGER ALL;

CREATE VIEW repairs AS
SELECT r.* FROM fk_repairs() r JOIN pg_class c ON c.oid = r.child_table
WHERE c.relnamespace = 'fkd_repairs'::regnamespace;

-- What the schema says: ON DELETE actions, insert_parent for NO ACTION where
-- the parent accepts bare keys, a person's choice otherwise.
-- (RI trigger names carry OIDs: masked.)
SELECT constraint_name, child_table, strategy, rows_affected,
       regexp_replace(statement, 'RI_ConstraintTrigger_(.)_[0-9]+', 'RI_ConstraintTrigger_\1_N') AS statement
FROM repairs;
SELECT constraint_name, note FROM repairs WHERE statement IS NULL OR strategy IN ('enable_trigger', 'validate');

-- Each strategy asked for by name.
SELECT strategy, rows_affected, statement FROM fk_repairs('orders', 'delete');
SELECT strategy, rows_affected, statement FROM fk_repairs('reviews', 'set_null');
SELECT strategy, rows_affected, statement FROM fk_repairs('wishes', 'set_default');
SELECT strategy, rows_affected, statement FROM fk_repairs('orders', 'insert_parent');
SELECT strategy, rows_affected, statement FROM fk_repairs('bookings', 'set_null');
SELECT strategy, rows_affected, statement FROM fk_repairs('"Odd Child"', 'delete');

-- A strategy that cannot apply to a named table, an unknown one, bad tables.
\set VERBOSITY terse
SELECT * FROM fk_repairs('bookings', 'insert_parent');
SELECT * FROM fk_repairs('"Odd Child"', 'set_null');
SELECT * FROM fk_repairs('orders', 'drop_table');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM fk_repairs('no_such_table');
\set VERBOSITY default
CREATE VIEW a_view AS SELECT 1;
SELECT count(*) FROM fk_repairs('a_view');
SELECT count(*) FROM fk_repairs('slots');

-- Run them. Keep a copy of every row first, to check that only orphans change.
CREATE VIEW all_rows AS
SELECT 'orders' AS t, to_jsonb(x) AS r FROM orders x UNION ALL
SELECT 'order_items', to_jsonb(x) FROM order_items x UNION ALL
SELECT 'reviews', to_jsonb(x) FROM reviews x UNION ALL
SELECT 'wishes', to_jsonb(x) FROM wishes x UNION ALL
SELECT 'bookings', to_jsonb(x) FROM bookings x UNION ALL
SELECT 'staff', to_jsonb(x) FROM staff x UNION ALL
SELECT 'odd', to_jsonb(x) FROM "Odd Child" x UNION ALL
SELECT 'visits', to_jsonb(x) FROM visits x UNION ALL
SELECT 'pets', to_jsonb(x) FROM ONLY pets x UNION ALL
SELECT 'pet_extras', to_jsonb(x) FROM pet_extras x;
CREATE TABLE before AS SELECT * FROM all_rows;
-- The person's choice for the staff table: delete.
SELECT statement FROM fk_repairs('staff', 'delete') WHERE strategy = 'delete' \gexec
-- And for order_items, whose parent needs more than a key: delete.
SELECT statement FROM fk_repairs('order_items', 'delete') \gexec
-- Everything else as proposed (not echoed: trigger names carry OIDs).
\set ECHO none
SELECT statement FROM repairs WHERE statement IS NOT NULL \gexec
\set ECHO all

-- Nothing left to repair, every key holds by PostgreSQL's own check, and
-- only the orphan rows changed.
SELECT count(*) AS repairs_left FROM repairs;
SELECT count(*) AS orphans_left FROM fk_orphans() o JOIN pg_class c ON c.oid = o.child_table
WHERE c.relnamespace = 'fkd_repairs'::regnamespace;
UPDATE pg_constraint SET convalidated = false WHERE connamespace = 'fkd_repairs'::regnamespace AND contype = 'f';
SELECT format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.conrelid::regclass, c.conname)
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
LEFT JOIN pg_constraint up ON up.oid = c.conparentid
WHERE c.connamespace = 'fkd_repairs'::regnamespace AND c.contype = 'f' AND r.relkind = 'r'
  AND (c.conparentid = 0 OR up.conrelid <> c.conrelid)
ORDER BY 1 \gexec
CREATE TABLE after AS SELECT * FROM all_rows;
SELECT * FROM (
    SELECT 'gone' AS change, * FROM (SELECT * FROM before EXCEPT SELECT * FROM after) g
    UNION ALL
    SELECT 'new', * FROM (SELECT * FROM after EXCEPT SELECT * FROM before) n) changes
ORDER BY t, change, r::text;
SELECT * FROM customers ORDER BY id;
SELECT tgenabled, count(*) FROM pg_trigger WHERE tgrelid = 'staff'::regclass GROUP BY 1;

SET client_min_messages = warning;
DROP SCHEMA fkd_repairs CASCADE;
RESET client_min_messages;
