-- A statement that says it repairs N rows repairs N rows, or is not
-- proposed: whatever can reject a row it writes (CHECK constraints, NOT
-- NULL domains, the parent's own keys and other unique columns) rules the
-- strategy out, and the statement PostgreSQL would then reject is not given.
\set VERBOSITY default
CREATE SCHEMA fkd_trial;
SET search_path = fkd_trial, public;
CREATE DOMAIN label_text AS text NOT NULL;
CREATE DOMAIN required_int AS int NOT NULL;
CREATE TABLE regions (id int PRIMARY KEY);
-- Parents that reject bare keys for five different reasons.
CREATE TABLE shop (id int PRIMARY KEY, code text UNIQUE DEFAULT 'n/a');
CREATE TABLE positive (id int PRIMARY KEY CHECK (id > 0));
CREATE TABLE labelled (id int PRIMARY KEY, label label_text);
CREATE TABLE located (id int PRIMARY KEY, region int DEFAULT 7 REFERENCES regions);
CREATE TABLE located_later (id int PRIMARY KEY,
    region int DEFAULT 7 REFERENCES regions DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE fine (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE orders (
    id int PRIMARY KEY,
    shop_id int REFERENCES shop,
    positive_id int REFERENCES positive,
    labelled_id int REFERENCES labelled,
    located_id int REFERENCES located,
    located_later_id int REFERENCES located_later,
    fine_id int REFERENCES fine,
    -- Children whose key cannot become NULL although the column is nullable.
    q required_int REFERENCES fine,
    r int CHECK (r IS NOT NULL) REFERENCES fine);
INSERT INTO fine VALUES (1, 'x');
SET session_replication_role = replica;
INSERT INTO orders VALUES
    (1, 10, -5, 1, 1, 1, 2, 3, 3),
    (2, 11, 5, 1, 1, 1, 2, 3, 3),
    (3, 12, 5, 1, 1, 1, 2, 3, 3);
RESET session_replication_role;

-- Before: insert_parent into shop promised 3 rows and inserted 1 (ON
-- CONFLICT DO NOTHING hid the conflict on code). Now each parent that
-- would reject the rows gets no statement, and the note says why.
SELECT constraint_name, strategy, rows_affected, statement IS NOT NULL AS proposed,
       regexp_replace(note, 'Strategies that would work: .*', 'Strategies that would work: ...') AS note
FROM fk_repairs('orders') ORDER BY constraint_name;
-- The strategies asked for by name: errors that say why.
SELECT * FROM fk_repairs('orders', 'set_null');
ALTER TABLE orders DROP CONSTRAINT orders_q_fkey;
SELECT * FROM fk_repairs('orders', 'set_null');
ALTER TABLE orders DROP CONSTRAINT orders_r_fkey;
SELECT constraint_name, strategy, rows_affected FROM fk_repairs('orders', 'set_null') ORDER BY 1;

-- What is proposed does what it says: run it, and PostgreSQL's check of
-- every key (added again from scratch) agrees.
ALTER TABLE orders ADD FOREIGN KEY (q) REFERENCES fine NOT VALID;
SELECT constraint_name, strategy, rows_affected FROM fk_repairs('orders') ORDER BY 1;
BEGIN;
SELECT statement FROM fk_repairs('orders') WHERE statement IS NOT NULL \gexec
SELECT id, code FROM fine ORDER BY id;
SELECT constraint_name, count(*) FROM fk_orphans('orders') GROUP BY 1 ORDER BY 1;
ROLLBACK;
-- In a read-only transaction nothing can be tried: the catalogs decide.
BEGIN READ ONLY;
SELECT constraint_name, strategy, statement IS NOT NULL AS proposed FROM fk_repairs('orders')
WHERE constraint_name = 'orders_shop_id_fkey';
ROLLBACK;

SET client_min_messages = warning;
DROP SCHEMA fkd_trial CASCADE;
RESET client_min_messages;
