-- fk_lint(): foreign-key health from the catalogs; every check, its fix, and
-- silence on a healthy schema.
CREATE SCHEMA fkd_lint;
SET search_path = fkd_lint, public;

CREATE TABLE customers (id int PRIMARY KEY, region text, UNIQUE (id, region));
CREATE TABLE pairs (x int, y int, PRIMARY KEY (x, y));

-- Healthy: indexed keys (one index serves a key whose columns it leads in
-- another order), NOT NULL or MATCH FULL composites, matching types.
CREATE TABLE healthy (
    id int PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers ON DELETE CASCADE,
    a int, b int,
    FOREIGN KEY (b, a) REFERENCES pairs (y, x) MATCH FULL);
CREATE INDEX ON healthy (customer_id);
CREATE INDEX ON healthy (a, b, id);
SELECT count(*) AS findings_on_a_healthy_schema FROM fk_lint('healthy');

-- Every check.
CREATE TABLE big_parent (id bigint PRIMARY KEY);
CREATE TABLE orders (
    id int PRIMARY KEY,
    customer_id int REFERENCES customers ON DELETE CASCADE,       -- cascade_without_index
    big_id int REFERENCES big_parent,                             -- type_mismatch, unindexed
    region text,
    CONSTRAINT orders_customer_region FOREIGN KEY (customer_id, region)
        REFERENCES customers (id, region),                        -- nullable_composite, unindexed
    CONSTRAINT orders_customer_again FOREIGN KEY (customer_id)
        REFERENCES customers ON DELETE CASCADE);                  -- duplicate; overlapping
-- Two keys on one column that act differently: a duplicate with no one fix.
CREATE TABLE notes (
    id int PRIMARY KEY,
    customer_id int REFERENCES customers,
    CONSTRAINT notes_customer_cleared FOREIGN KEY (customer_id)
        REFERENCES customers ON DELETE SET NULL);
CREATE INDEX ON notes (customer_id);
CREATE TABLE late (id int PRIMARY KEY, customer_id int);
CREATE INDEX ON late (customer_id);
ALTER TABLE late ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;     -- not_valid
CREATE TABLE late_and_off (id int PRIMARY KEY, customer_id int);
CREATE INDEX ON late_and_off (customer_id);
ALTER TABLE late_and_off ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
ALTER TABLE late_and_off DISABLE TRIGGER ALL;                                     -- not_valid, and off
CREATE TABLE unchecked (id int PRIMARY KEY, customer_id int REFERENCES customers);
CREATE INDEX ON unchecked (customer_id);
ALTER TABLE unchecked DISABLE TRIGGER ALL;                                        -- valid_but_unenforced
CREATE TABLE replicated (id int PRIMARY KEY, customer_id int REFERENCES customers);
CREATE INDEX ON replicated (customer_id);
DO $$                                                                              -- valid_but_unenforced
DECLARE trigger_name name;                                                         -- (replica only)
BEGIN
    FOR trigger_name IN SELECT tgname FROM pg_trigger WHERE tgrelid = 'replicated'::regclass AND tgisinternal LOOP
        EXECUTE format('ALTER TABLE replicated ENABLE REPLICA TRIGGER %I', trigger_name);
    END LOOP;
END $$;
CREATE TABLE parted (id int, customer_id int REFERENCES customers, PRIMARY KEY (id)) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);          -- unindexed, partitioned
-- An index a failed CREATE INDEX CONCURRENTLY left invalid serves nothing,
-- and the index proposed instead does not take its name.
CREATE TABLE invalid_index (id int PRIMARY KEY, customer_id int REFERENCES customers);
INSERT INTO customers VALUES (1, 'north');
INSERT INTO invalid_index VALUES (1, 1), (2, 1);
CREATE UNIQUE INDEX CONCURRENTLY invalid_index_customer_id_idx ON invalid_index (customer_id);
CREATE TABLE "Order Lines" (id int PRIMARY KEY, "Customer Id" int REFERENCES customers);  -- names to quote

CREATE VIEW findings AS
SELECT l."check", l.constraint_name, l.child_table, l.parent_table, l.severity, l.detail,
       regexp_replace(l.fix, 'RI_ConstraintTrigger_(.)_[0-9]+', 'RI_ConstraintTrigger_\1_N', 'g') AS fix
FROM fk_lint() l JOIN pg_class c ON c.oid = l.child_table
WHERE c.relnamespace = 'fkd_lint'::regnamespace;

SELECT "check", constraint_name, child_table, parent_table, severity FROM findings
ORDER BY child_table::text, constraint_name, "check";
SELECT child_table, constraint_name, "check", detail FROM findings
ORDER BY child_table::text, constraint_name, "check";
SELECT child_table, constraint_name, "check", fix FROM findings WHERE fix IS NOT NULL
ORDER BY child_table::text, constraint_name, "check";
-- A table's own findings.
SELECT "check", constraint_name FROM fk_lint('"Order Lines"');

-- The fixes run (CREATE INDEX CONCURRENTLY too: psql runs each one on its
-- own), and their findings go away. Keys that one index serves share its
-- statement, so the second run of it is a no-op.
\set ECHO none
SELECT l.fix FROM fk_lint() l JOIN pg_class c ON c.oid = l.child_table
WHERE c.relnamespace = 'fkd_lint'::regnamespace AND l.fix IS NOT NULL
ORDER BY l."check" <> 'duplicate', l.child_table::text, l.constraint_name, l."check" \gexec
\set ECHO all
SELECT indexrelid::regclass AS index, indisvalid, pg_get_indexdef(indexrelid) AS definition
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
WHERE c.relnamespace = 'fkd_lint'::regnamespace AND NOT indisprimary
ORDER BY indexrelid::regclass::text;
SELECT count(*) AS disabled_or_replica_triggers FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = 'fkd_lint'::regnamespace AND t.tgenabled <> 'O';
-- (NOT NULL constraints, catalogued as rows of their own from PostgreSQL 18, are not shown.)
SELECT conname, convalidated FROM pg_constraint
WHERE conrelid IN ('late'::regclass, 'late_and_off'::regclass) AND contype <> 'n' ORDER BY conname;
-- The findings with no single fix: a person's choice.
SELECT "check", constraint_name, child_table FROM findings ORDER BY child_table::text, constraint_name, "check";
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL, ALTER COLUMN region SET NOT NULL;
ALTER TABLE notes DROP CONSTRAINT notes_customer_cleared;
-- What is left is information only: two keys that share leading columns.
SELECT "check", constraint_name, child_table FROM findings ORDER BY child_table::text, constraint_name, "check";

-- Bad input: a table without keys, a view, NULL (every table), a missing table.
SELECT count(*) FROM fk_lint('customers');
CREATE VIEW a_view AS SELECT 1;
SELECT count(*) FROM fk_lint('a_view');
SELECT count(*) > 0 AS null_means_every_table FROM fk_lint(NULL) l
JOIN pg_class c ON c.oid = l.child_table WHERE c.relnamespace = 'fkd_lint'::regnamespace;
\set VERBOSITY terse
SELECT count(*) FROM fk_lint('no_such_table');
\set VERBOSITY default

SET client_min_messages = warning;
DROP SCHEMA fkd_lint CASCADE;
RESET client_min_messages;
