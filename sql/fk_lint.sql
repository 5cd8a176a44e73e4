-- fk_lint(): foreign-key health from the catalogs; every check, its fix, and
-- silence on a healthy schema.
CREATE SCHEMA fkd_lint;
SET search_path = fkd_lint, public;

CREATE TABLE customers (id int PRIMARY KEY, region text, UNIQUE (id, region));
CREATE TABLE healthy (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers);
CREATE INDEX ON healthy (customer_id);
SELECT count(*) AS findings_on_a_healthy_schema FROM fk_lint('healthy');

CREATE TABLE big_parent (id bigint PRIMARY KEY);
CREATE TABLE orders (
    id int PRIMARY KEY,
    customer_id int REFERENCES customers ON DELETE CASCADE,       -- cascade_without_index
    big_id int REFERENCES big_parent,                             -- type_mismatch, unindexed
    region text,
    CONSTRAINT orders_customer_region FOREIGN KEY (customer_id, region)
        REFERENCES customers (id, region),                        -- nullable_composite, overlapping
    CONSTRAINT orders_customer_again FOREIGN KEY (customer_id)
        REFERENCES customers ON DELETE CASCADE);                  -- duplicate
CREATE INDEX ON orders (customer_id, region);
DROP INDEX orders_customer_id_region_idx;
CREATE TABLE late (id int PRIMARY KEY, customer_id int);
CREATE INDEX ON late (customer_id);
ALTER TABLE late ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;   -- not_valid
CREATE TABLE unchecked (id int PRIMARY KEY, customer_id int REFERENCES customers);
CREATE INDEX ON unchecked (customer_id);
ALTER TABLE unchecked DISABLE TRIGGER ALL;                                        -- valid_but_unenforced
CREATE TABLE parted (id int, customer_id int REFERENCES customers, PRIMARY KEY (id)) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);

CREATE VIEW findings AS
SELECT l."check", l.constraint_name, l.child_table, l.severity, l.detail,
       regexp_replace(l.fix, 'RI_ConstraintTrigger_(.)_[0-9]+', 'RI_ConstraintTrigger_\1_N', 'g') AS fix
FROM fk_lint() l JOIN pg_class c ON c.oid = l.child_table
WHERE c.relnamespace = 'fkd_lint'::regnamespace;

SELECT "check", constraint_name, child_table, severity FROM findings ORDER BY 3, 2, 1;
SELECT "check", detail FROM findings ORDER BY child_table, constraint_name, "check";
SELECT "check", fix FROM findings WHERE fix IS NOT NULL ORDER BY child_table, constraint_name, "check";

-- The fixes run, and their findings go away.
\set ECHO none
SELECT fix FROM (
    SELECT DISTINCT l."check" = 'duplicate' AS first, l.fix
    FROM fk_lint() l JOIN pg_class c ON c.oid = l.child_table
    WHERE c.relnamespace = 'fkd_lint'::regnamespace AND l.fix IS NOT NULL) fixes
ORDER BY first DESC, fix \gexec
\set ECHO all
-- nullable_composite has no single fix: the columns become NOT NULL here.
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL, ALTER COLUMN region SET NOT NULL;
-- What is left is information only: two keys that share leading columns.
SELECT "check", constraint_name, child_table FROM findings ORDER BY 3, 2, 1;

-- Bad input.
SELECT count(*) FROM fk_lint('customers');
CREATE VIEW a_view AS SELECT 1;
SELECT count(*) FROM fk_lint('a_view');
\set VERBOSITY terse
SELECT count(*) FROM fk_lint('no_such_table');
\set VERBOSITY default

SET client_min_messages = warning;
DROP SCHEMA fkd_lint CASCADE;
RESET client_min_messages;
