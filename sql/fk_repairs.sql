-- fk_repairs(): statements that repair the orphans, reviewed then run.
CREATE SCHEMA fkd_repairs;
SET search_path = fkd_repairs, public;

CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL DEFAULT 'unknown');
CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE shops (id int PRIMARY KEY);
INSERT INTO customers VALUES (1, 'a'), (2, 'b');
INSERT INTO products VALUES (1, 'p1'), (2, 'p2');
INSERT INTO shops VALUES (1);
-- One table, two keys: NO ACTION to a parent that accepts bare keys
-- (insert_parent by default), and ON DELETE CASCADE (delete).
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers,
                     shop_id int REFERENCES shops ON DELETE CASCADE);
-- Below orders through a NO ACTION key: its orphans must be deleted before
-- the orphan orders they still reference.
CREATE TABLE order_notes (id int PRIMARY KEY, order_id int REFERENCES orders,
                          product_id bigint REFERENCES products ON DELETE CASCADE);
-- Cross-type (int referencing bigint), ON DELETE SET NULL.
CREATE TABLE reviews (id int PRIMARY KEY, product_id int REFERENCES products ON DELETE SET NULL);
-- ON DELETE SET DEFAULT whose default references an existing parent.
CREATE TABLE wishes (id int PRIMARY KEY, product_id bigint DEFAULT 1 REFERENCES products ON DELETE SET DEFAULT);
-- NO ACTION, and the parent needs a name: a person must choose.
CREATE TABLE order_items (id int PRIMARY KEY, product_id bigint NOT NULL REFERENCES products);
-- Composite: MATCH FULL with ON DELETE CASCADE; MATCH SIMPLE with
-- ON DELETE SET NULL of one column only (PostgreSQL 15).
CREATE TABLE slots (a int, b int, PRIMARY KEY (a, b));
INSERT INTO slots VALUES (1, 1);
CREATE TABLE bookings (id int PRIMARY KEY, a int, b int,
    FOREIGN KEY (a, b) REFERENCES slots MATCH FULL ON DELETE CASCADE);
CREATE TABLE slot_holds (id int PRIMARY KEY, a int, b int,
    FOREIGN KEY (a, b) REFERENCES slots ON DELETE SET NULL (b));
-- Cross-type insert_parent: int keys put back into a bigint parent.
CREATE TABLE tags (id bigint PRIMARY KEY, label text NOT NULL DEFAULT 'restored');
CREATE TABLE post_tags (id int PRIMARY KEY, tag_id int REFERENCES tags);
-- Self-reference, its RI triggers disabled.
CREATE TABLE staff (id int PRIMARY KEY, boss_id int REFERENCES staff);
-- Quoted names, NOT VALID.
CREATE TABLE "Odd ""Parent""" ("Key" text PRIMARY KEY);
CREATE TABLE "Odd Child" (id int PRIMARY KEY, "the key" text NOT NULL);
-- Partitioned child and parent; inheritance.
CREATE TABLE regions (code text PRIMARY KEY) PARTITION BY LIST (code);
CREATE TABLE regions_eu PARTITION OF regions FOR VALUES IN ('de', 'fr');
CREATE TABLE regions_other PARTITION OF regions DEFAULT;
INSERT INTO regions VALUES ('de');
CREATE TABLE visits (id int, region text REFERENCES regions ON DELETE CASCADE, PRIMARY KEY (id))
    PARTITION BY RANGE (id);
CREATE TABLE visits_1 PARTITION OF visits FOR VALUES FROM (0) TO (100);
CREATE TABLE visits_2 PARTITION OF visits FOR VALUES FROM (100) TO (200);
CREATE TABLE offices (id int PRIMARY KEY, region text REFERENCES regions);
CREATE TABLE animals (id int PRIMARY KEY);
CREATE TABLE dogs () INHERITS (animals);
INSERT INTO animals VALUES (1);
INSERT INTO dogs VALUES (2);
CREATE TABLE pets (id int PRIMARY KEY, animal_id int REFERENCES animals ON DELETE CASCADE);
CREATE TABLE pet_extras () INHERITS (pets);
-- A parent whose collation decides: 'Red' and 'RED' are one key.
CREATE COLLATION fkd_repairs_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE labels (name text COLLATE fkd_repairs_ci PRIMARY KEY);
INSERT INTO labels VALUES ('blue');
CREATE TABLE label_uses (id int PRIMARY KEY, label text REFERENCES labels);
-- Strategies the data rules out: a key the parent's type would cut, one
-- out of its range, a volatile default, a default with no parent.
CREATE TABLE codes (code varchar(3) PRIMARY KEY);
CREATE TABLE code_uses (id int PRIMARY KEY, code text REFERENCES codes);
CREATE TABLE small_parents (id int PRIMARY KEY);
CREATE TABLE big_refs (id int PRIMARY KEY, ref bigint REFERENCES small_parents);
CREATE SEQUENCE ticket_numbers;
CREATE TABLE lottery (id int PRIMARY KEY,
    product_id bigint DEFAULT nextval('ticket_numbers') REFERENCES products ON DELETE SET DEFAULT);
CREATE TABLE gifts (id int PRIMARY KEY, product_id bigint DEFAULT 42 REFERENCES products ON DELETE SET DEFAULT);

SET session_replication_role = replica;
INSERT INTO orders VALUES (1, 1, 1), (2, 7, 1), (3, 7, 1), (4, 8, 99), (5, NULL, 1);
INSERT INTO order_notes VALUES (1, 4, 55), (2, 1, 1);
INSERT INTO reviews VALUES (1, 1), (2, 9);
INSERT INTO order_items VALUES (1, 2), (2, 30);
INSERT INTO wishes VALUES (1, 2), (2, 5);
INSERT INTO bookings VALUES (1, 1, 1), (2, 1, 2), (3, 5, NULL), (4, NULL, NULL);
INSERT INTO slot_holds VALUES (1, 1, 1), (2, 1, 2), (3, NULL, 7);
INSERT INTO post_tags VALUES (1, 10), (2, 10), (3, 11);
INSERT INTO staff VALUES (1, NULL), (2, 1), (3, 99);
INSERT INTO "Odd ""Parent""" VALUES ('x');
INSERT INTO "Odd Child" VALUES (1, 'x'), (2, 'it''s missing');
INSERT INTO visits VALUES (1, 'de'), (2, 'fr'), (150, 'us');
INSERT INTO offices VALUES (1, 'de'), (2, 'fr'), (3, 'jp');
INSERT INTO pets VALUES (1, 1), (2, 2);
INSERT INTO pet_extras VALUES (3, 77);
INSERT INTO label_uses VALUES (1, 'BLUE'), (2, 'Red'), (3, 'RED');
INSERT INTO code_uses VALUES (1, 'abcd');
INSERT INTO big_refs VALUES (1, 5000000000);
INSERT INTO lottery VALUES (1, 9);
INSERT INTO gifts VALUES (1, 9);
RESET session_replication_role;
ALTER TABLE "Odd Child" ADD CONSTRAINT "odd; key" FOREIGN KEY ("the key") REFERENCES "Odd ""Parent""" NOT VALID;
ALTER TABLE staff DISABLE TRIGGER ALL;

CREATE VIEW repairs AS
SELECT r.*, regexp_replace(r.statement, 'RI_ConstraintTrigger_(.)_[0-9]+', 'RI_ConstraintTrigger_\1_N') AS shown
FROM fk_repairs() r JOIN pg_class c ON c.oid = r.child_table
WHERE c.relnamespace = 'fkd_repairs'::regnamespace;

-- What the schema says, in the order it must run: RI triggers enabled
-- first; parents put back; keys set to NULL or defaults; deletes, the
-- deepest referencing table first (order_notes before orders); keys a
-- person must choose for; VALIDATE last. (RI trigger names carry OIDs: masked.)
SELECT constraint_name, child_table, step, strategy, rows_affected, shown AS statement FROM repairs;
SELECT constraint_name, note FROM repairs;

-- Each strategy asked for by name.
SELECT step, strategy, rows_affected, statement FROM fk_repairs('orders', 'delete');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('reviews', 'set_null');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('wishes', 'set_default');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('post_tags', 'insert_parent');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('bookings', 'set_null');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('slot_holds', 'set_default');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('"Odd Child"', 'delete');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('visits', 'set_null');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('visits_2');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('offices', 'insert_parent');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('label_uses', 'insert_parent');
SELECT step, strategy, rows_affected, statement FROM fk_repairs('pets', NULL);

-- A strategy that cannot apply to a named table (the hint says which do),
-- an unknown one, bad tables.
SELECT * FROM fk_repairs('bookings', 'insert_parent');
SELECT * FROM fk_repairs('"Odd Child"', 'set_null');
SELECT * FROM fk_repairs('code_uses', 'insert_parent');
SELECT * FROM fk_repairs('big_refs', 'insert_parent');
SELECT * FROM fk_repairs('lottery', 'set_default');
SELECT * FROM fk_repairs('gifts', 'set_default');
SELECT * FROM fk_repairs('order_items', 'set_default');
SELECT * FROM fk_repairs('orders', 'drop_table');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM fk_repairs('no_such_table');
CREATE VIEW a_view AS SELECT 1;
SELECT count(*) FROM fk_repairs('a_view');
SELECT count(*) FROM fk_repairs('slots');

-- Run them. Keep a copy of every row first, to check that only orphans change.
CREATE VIEW all_rows AS
SELECT 'orders' AS t, to_jsonb(x) AS r FROM orders x UNION ALL
SELECT 'order_notes', to_jsonb(x) FROM order_notes x UNION ALL
SELECT 'order_items', to_jsonb(x) FROM order_items x UNION ALL
SELECT 'reviews', to_jsonb(x) FROM reviews x UNION ALL
SELECT 'wishes', to_jsonb(x) FROM wishes x UNION ALL
SELECT 'bookings', to_jsonb(x) FROM bookings x UNION ALL
SELECT 'slot_holds', to_jsonb(x) FROM slot_holds x UNION ALL
SELECT 'post_tags', to_jsonb(x) FROM post_tags x UNION ALL
SELECT 'staff', to_jsonb(x) FROM staff x UNION ALL
SELECT 'odd', to_jsonb(x) FROM "Odd Child" x UNION ALL
SELECT 'visits', to_jsonb(x) FROM visits x UNION ALL
SELECT 'offices', to_jsonb(x) FROM offices x UNION ALL
SELECT 'pets', to_jsonb(x) FROM ONLY pets x UNION ALL
SELECT 'pet_extras', to_jsonb(x) FROM pet_extras x UNION ALL
SELECT 'label_uses', to_jsonb(x) FROM label_uses x UNION ALL
SELECT 'code_uses', to_jsonb(x) FROM code_uses x UNION ALL
SELECT 'big_refs', to_jsonb(x) FROM big_refs x UNION ALL
SELECT 'lottery', to_jsonb(x) FROM lottery x UNION ALL
SELECT 'gifts', to_jsonb(x) FROM gifts x;
CREATE TABLE before AS SELECT * FROM all_rows;
CREATE TABLE first_run AS SELECT statement FROM repairs;
-- The person's choices where no strategy of the schema's fits: delete the
-- orphans, or for gifts set their key to NULL.
SELECT statement FROM fk_repairs('staff', 'delete') WHERE strategy = 'delete' \gexec
SELECT statement FROM fk_repairs('order_items', 'delete') \gexec
SELECT statement FROM fk_repairs('code_uses', 'delete') \gexec
SELECT statement FROM fk_repairs('big_refs', 'delete') \gexec
SELECT statement FROM fk_repairs('lottery', 'delete') \gexec
SELECT statement FROM fk_repairs('gifts', 'set_null') \gexec
-- Everything else as proposed (not echoed: trigger names carry OIDs), under
-- a search_path whose "text" is an integer and whose "=" says every two
-- integers are equal: the statements name pg_catalog's types and operators.
CREATE SCHEMA fkd_repairs_evil;
CREATE DOMAIN fkd_repairs_evil.text AS int;
CREATE FUNCTION fkd_repairs_evil.always_equal(int, int) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR fkd_repairs_evil.= (LEFTARG = int, RIGHTARG = int, FUNCTION = fkd_repairs_evil.always_equal);
SET search_path = fkd_repairs_evil, pg_catalog, fkd_repairs;
\set ECHO none
SELECT statement FROM repairs WHERE statement IS NOT NULL \gexec
\set ECHO all
SET search_path = fkd_repairs, public;
SET client_min_messages = warning;
DROP SCHEMA fkd_repairs_evil CASCADE;
RESET client_min_messages;

-- Nothing left to repair, and every key holds by PostgreSQL's own check:
-- every key is marked NOT VALID, then validated. VALIDATE checks the rows of
-- a plain table; on a partitioned table PostgreSQL 15 only marks the key, so
-- the partitions' keys are validated first, then the partitioned table's.
SELECT count(*) AS repairs_left FROM repairs;
SELECT count(*) AS orphans_left FROM fk_orphans() o JOIN pg_class c ON c.oid = o.child_table
WHERE c.relnamespace = 'fkd_repairs'::regnamespace;
CREATE TABLE user_keys AS
SELECT c.oid, c.conrelid::regclass AS child, c.conname, r.relkind
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
LEFT JOIN pg_constraint up ON up.oid = c.conparentid
WHERE c.connamespace = 'fkd_repairs'::regnamespace AND c.contype = 'f'
  AND (c.conparentid = 0 OR up.conrelid <> c.conrelid);
UPDATE pg_constraint SET convalidated = false WHERE oid IN (SELECT oid FROM user_keys);
SELECT format('ALTER TABLE %s VALIDATE CONSTRAINT %I', child, conname)
FROM user_keys ORDER BY relkind DESC, 1 \gexec
SELECT count(*) AS keys, count(*) FILTER (WHERE NOT convalidated) AS not_valid
FROM pg_constraint WHERE oid IN (SELECT oid FROM user_keys);

-- Only the orphan rows changed, each as its repair says. The visit and the
-- office in 'fr' were saved by the region put back for the office, before
-- the visits' DELETE re-checked; order 4, an orphan of both of its keys,
-- got its customer (8) put back and was then deleted.
CREATE TABLE after AS SELECT * FROM all_rows;
SELECT * FROM (
    SELECT 'gone' AS change, * FROM (SELECT * FROM before EXCEPT SELECT * FROM after) g
    UNION ALL
    SELECT 'new', * FROM (SELECT * FROM after EXCEPT SELECT * FROM before) n) changes
ORDER BY t, change, r::text;
SELECT * FROM customers ORDER BY id;
SELECT * FROM tags ORDER BY id;
SELECT * FROM "Odd ""Parent""" ORDER BY 1;
SELECT tableoid::regclass AS partition, code FROM regions ORDER BY code;
SELECT count(*) AS labels, count(*) FILTER (WHERE name = 'red') AS red FROM labels;
SELECT tgenabled, count(*) FROM pg_trigger WHERE tgrelid = 'staff'::regclass GROUP BY 1;

-- Running the first run's statements a second time changes nothing.
\set ECHO none
SELECT statement FROM first_run WHERE statement IS NOT NULL \gexec
\set ECHO all
SELECT count(*) AS rows_changed FROM (
    (SELECT * FROM after EXCEPT SELECT * FROM all_rows)
    UNION ALL (SELECT * FROM all_rows EXCEPT SELECT * FROM after)) d;

-- Why the RI triggers come first: a self-referencing ON DELETE CASCADE
-- table whose triggers are disabled. With them enabled, deleting the orphan
-- (10) takes the rows below it (11, 12) along, as the schema says; with them
-- still disabled, 11 would be left behind as a new orphan for the next run.
CREATE TABLE team (id int PRIMARY KEY, lead_id int REFERENCES team ON DELETE CASCADE);
INSERT INTO team VALUES (1, NULL), (2, 1), (10, NULL), (11, 10), (12, 11);
ALTER TABLE team DISABLE TRIGGER ALL;
UPDATE team SET lead_id = 99 WHERE id = 10;
SELECT step, strategy, rows_affected, shown AS statement FROM repairs;
\set ECHO none
SELECT statement FROM repairs \gexec
\set ECHO all
SELECT * FROM team ORDER BY id;
SELECT count(*) AS repairs_left FROM repairs;

SET client_min_messages = warning;
DROP SCHEMA fkd_repairs CASCADE;
RESET client_min_messages;
