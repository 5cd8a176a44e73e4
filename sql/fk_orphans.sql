-- fk_orphans(): every row PostgreSQL's RI check would reject, case by case.
-- Orphans get in under session_replication_role = replica, as they do on a
-- logical-replication subscriber or in a restore with triggers disabled.
CREATE SCHEMA fkd_orphans;
SET search_path = fkd_orphans, public;

-- Only what this test created, in a stable order.
CREATE VIEW orphans AS
SELECT o.constraint_name, o.child_table, o.parent_table, o.child_key, o.missing_key
FROM public.fk_orphans() o
JOIN pg_class c ON c.oid = o.child_table
WHERE c.relnamespace::regnamespace::text IN ('fkd_orphans', '"Fkd Other"')
ORDER BY 1, 2, o.child_key::text, o.missing_key::text;

-- A single-column key; a NULL key is never checked.
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE orders (order_id int PRIMARY KEY, customer_id int REFERENCES customers);
INSERT INTO customers VALUES (1), (2);
SET session_replication_role = replica;
INSERT INTO orders VALUES (10, 1), (11, 3), (12, NULL), (13, 42);
RESET session_replication_role;
SELECT * FROM fk_orphans('orders') ORDER BY child_ctid;

-- MATCH SIMPLE: a key with any NULL column is not checked.
-- MATCH FULL: a partly NULL key is itself a violation; an all-NULL key is fine.
-- The key columns are declared in another order than the table's (conkey order).
CREATE TABLE slots (x int, y int, PRIMARY KEY (x, y));
INSERT INTO slots VALUES (1, 1), (1, 2);
CREATE TABLE simple_refs (id int PRIMARY KEY, b int, a int,
    FOREIGN KEY (a, b) REFERENCES slots (x, y) MATCH SIMPLE);
CREATE TABLE full_refs (id int PRIMARY KEY, b int, a int,
    FOREIGN KEY (a, b) REFERENCES slots (x, y) MATCH FULL);
SET session_replication_role = replica;
INSERT INTO simple_refs VALUES (1, 1, 1), (2, 3, 1), (3, NULL, 9), (4, NULL, NULL);
INSERT INTO full_refs VALUES (1, 2, 1), (2, 3, 1), (3, NULL, 9), (4, NULL, NULL);
RESET session_replication_role;
SELECT constraint_name, child_key, missing_key FROM orphans WHERE child_table IN ('simple_refs'::regclass, 'full_refs'::regclass);

-- Dropped columns leave gaps in attnum on both sides.
CREATE TABLE gap_parent (junk int, code text, PRIMARY KEY (code));
ALTER TABLE gap_parent DROP COLUMN junk;
CREATE TABLE gap_child (junk int, id int PRIMARY KEY, code text REFERENCES gap_parent);
ALTER TABLE gap_child DROP COLUMN junk;
INSERT INTO gap_parent VALUES ('a');
SET session_replication_role = replica;
INSERT INTO gap_child VALUES (1, 'a'), (2, 'zz');
RESET session_replication_role;
SELECT * FROM orphans WHERE child_table = 'gap_child'::regclass;

-- Cross-type keys compare through the constraint's own operators.
CREATE TABLE big_parent (id bigint PRIMARY KEY);
CREATE TABLE small_child (id int PRIMARY KEY, parent_id int REFERENCES big_parent);
CREATE TABLE tiny_child (id int PRIMARY KEY, parent_id smallint REFERENCES big_parent);
CREATE TABLE text_parent (code text PRIMARY KEY);
CREATE TABLE varchar_child (id int PRIMARY KEY, code varchar(10) REFERENCES text_parent);
INSERT INTO big_parent VALUES (1), (5000000000);
INSERT INTO text_parent VALUES ('a'), ('b ');
SET session_replication_role = replica;
INSERT INTO small_child VALUES (1, 1), (2, 2);
INSERT INTO tiny_child VALUES (1, 1), (2, 7);
INSERT INTO varchar_child VALUES (1, 'a'), (2, 'b '), (3, 'b'), (4, 'A');
RESET session_replication_role;
SELECT * FROM orphans WHERE child_table IN ('small_child'::regclass, 'tiny_child'::regclass, 'varchar_child'::regclass);
SELECT fk.code FROM varchar_child fk WHERE NOT EXISTS (SELECT FROM text_parent pk WHERE pk.code = fk.code) ORDER BY 1;

-- Collations: keys between columns of different collations are in
-- keys_across_collations (PostgreSQL 18 cannot declare some of them).

-- Partitioned child: one key, each orphan once, in the partition that holds it.
CREATE TABLE events (id int, customer_id int REFERENCES customers, PRIMARY KEY (id))
    PARTITION BY RANGE (id);
CREATE TABLE events_low PARTITION OF events FOR VALUES FROM (0) TO (100);
CREATE TABLE events_high PARTITION OF events FOR VALUES FROM (100) TO (200);
SET session_replication_role = replica;
INSERT INTO events VALUES (1, 1), (2, 77), (150, 2), (151, 78);
RESET session_replication_role;
SELECT * FROM orphans WHERE parent_table = 'customers'::regclass AND child_table::text LIKE 'events%';
SELECT constraint_name, child_table, parent_table FROM fk_constraints('events');
SELECT count(*) AS keys_on_partitions FROM fk_constraints() WHERE child_table::text LIKE 'events_%';
-- A partition named on its own gets its inherited key.
SELECT constraint_name, child_table, missing_key FROM fk_orphans('events_high');

-- Partitioned parent: rows in any partition are present; the hidden clones
-- PostgreSQL keeps for the parent's partitions are not keys of their own.
CREATE TABLE regions (code text PRIMARY KEY) PARTITION BY LIST (code);
CREATE TABLE regions_eu PARTITION OF regions FOR VALUES IN ('de', 'fr');
CREATE TABLE regions_other PARTITION OF regions DEFAULT;
INSERT INTO regions VALUES ('de'), ('us');
CREATE TABLE stores (id int PRIMARY KEY, region text REFERENCES regions);
SET session_replication_role = replica;
INSERT INTO stores VALUES (1, 'de'), (2, 'us'), (3, 'fr'), (4, 'jp');
RESET session_replication_role;
SELECT * FROM orphans WHERE child_table = 'stores'::regclass;
SELECT constraint_name, child_table, parent_table FROM fk_constraints('stores');

-- Both sides partitioned.
CREATE TABLE shipments (id int, region text REFERENCES regions, PRIMARY KEY (id))
    PARTITION BY RANGE (id);
CREATE TABLE shipments_all PARTITION OF shipments FOR VALUES FROM (0) TO (1000);
SET session_replication_role = replica;
INSERT INTO shipments VALUES (1, 'us'), (2, 'br');
RESET session_replication_role;
SELECT * FROM orphans WHERE child_table::text LIKE 'shipments%';
SELECT constraint_name, child_table, parent_table FROM fk_constraints('shipments');
SELECT constraint_name, child_table, parent_table FROM fk_constraints('shipments_all');

-- A key declared on a partition itself is its own key.
CREATE TABLE events_mid PARTITION OF events FOR VALUES FROM (200) TO (300);
ALTER TABLE events_mid ADD CONSTRAINT events_mid_region_fkey FOREIGN KEY (id) REFERENCES big_parent;
SELECT constraint_name, child_table, missing_key FROM fk_orphans('events_mid') ORDER BY 1;
SET session_replication_role = replica;
INSERT INTO events VALUES (250, 1);
RESET session_replication_role;
SELECT constraint_name, child_table, missing_key FROM fk_orphans('events_mid') ORDER BY 1;

-- Inheritance: the RI check reads ONLY the named tables. A parent row that
-- lives in an inheritance child does not count; rows of the referencing
-- table's inheritance children are not checked by its key.
CREATE TABLE animals (id int PRIMARY KEY);
CREATE TABLE dogs () INHERITS (animals);
INSERT INTO animals VALUES (1);
INSERT INTO dogs VALUES (2);
CREATE TABLE vet_visits (id int PRIMARY KEY, animal_id int REFERENCES animals);
CREATE TABLE dog_visits () INHERITS (vet_visits);
SET session_replication_role = replica;
INSERT INTO vet_visits VALUES (1, 1), (2, 2);
INSERT INTO dog_visits VALUES (3, 99);
RESET session_replication_role;
SELECT * FROM orphans WHERE child_table::text LIKE '%visits';

-- Self-reference.
CREATE TABLE employees (id int PRIMARY KEY, manager_id int REFERENCES employees);
SET session_replication_role = replica;
INSERT INTO employees VALUES (1, NULL), (2, 1), (3, 2), (4, 40);
RESET session_replication_role;
SELECT * FROM orphans WHERE child_table = 'employees'::regclass;

-- Names that need quoting, in a schema off the search_path.
CREATE SCHEMA "Fkd Other";
CREATE TABLE "Fkd Other"."Parent ""P""" ("Key Col" int PRIMARY KEY);
CREATE TABLE "Fkd Other"."select" ("Id" int PRIMARY KEY, "it's" int,
    CONSTRAINT "Weird ""Name""; --" FOREIGN KEY ("it's") REFERENCES "Fkd Other"."Parent ""P""");
INSERT INTO "Fkd Other"."Parent ""P""" VALUES (1);
SET session_replication_role = replica;
INSERT INTO "Fkd Other"."select" VALUES (1, 1), (2, 2);
RESET session_replication_role;
SELECT * FROM fk_orphans('"Fkd Other"."select"');

-- A NOT VALID key is checked like any other.
CREATE TABLE late_child (id int PRIMARY KEY, customer_id int);
INSERT INTO late_child VALUES (1, 1), (2, 5);
ALTER TABLE late_child ADD CONSTRAINT late_child_customer_fkey
    FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
SELECT constraint_name, validated FROM fk_constraints('late_child');
SELECT * FROM orphans WHERE child_table = 'late_child'::regclass;

-- A referenced UNIQUE column may hold NULLs; a NULL parent never matches.
CREATE TABLE badges (id int PRIMARY KEY, serial int UNIQUE);
INSERT INTO badges VALUES (1, 100), (2, NULL);
CREATE TABLE badge_uses (id int PRIMARY KEY, serial int REFERENCES badges (serial));
SET session_replication_role = replica;
INSERT INTO badge_uses VALUES (1, 100), (2, 200), (3, NULL);
RESET session_replication_role;
SELECT * FROM orphans WHERE child_table = 'badge_uses'::regclass;

-- No primary key on the child: child_key is NULL, the ctid still locates the row.
CREATE TABLE loose_rows (customer_id int REFERENCES customers);
SET session_replication_role = replica;
INSERT INTO loose_rows VALUES (1), (8);
RESET session_replication_role;
SELECT child_table, child_ctid, child_key, missing_key FROM fk_orphans('loose_rows');

-- max_rows caps the rows returned, across keys.
SELECT count(*) FROM fk_orphans(NULL, 3);
SELECT count(*) FROM fk_orphans('orders', 1);
SELECT count(*) FROM fk_orphans('orders', 100);

-- A check takes only AccessShareLock: writers are never blocked.
BEGIN;
SELECT count(*) FROM fk_orphans('orders');
SELECT DISTINCT mode FROM pg_locks
WHERE pid = pg_backend_pid() AND locktype = 'relation'
  AND relation IN ('orders'::regclass, 'customers'::regclass, 'events'::regclass);
SELECT count(*) FROM fk_orphans('events');
SELECT DISTINCT mode FROM pg_locks
WHERE pid = pg_backend_pid() AND locktype = 'relation'
  AND relation IN ('orders'::regclass, 'customers'::regclass, 'events'::regclass, 'events_low'::regclass);
COMMIT;

-- The proof, with PostgreSQL as the judge. Mark every key of this test NOT
-- VALID, delete exactly the rows fk_orphans() reports except two, and
-- VALIDATE CONSTRAINT passes on every key but the two that kept an orphan.
-- PostgreSQL 15 validates a partitioned child's key partition by partition
-- (its clones), and the clones pointing at a parent's partitions are never
-- validated on their own, so those are the constraints to validate.
CREATE VIEW validations AS
SELECT format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.conrelid::regclass, c.conname)
FROM pg_constraint c
JOIN pg_class r ON r.oid = c.conrelid
LEFT JOIN pg_constraint up ON up.oid = c.conparentid
WHERE c.contype = 'f' AND r.relkind = 'r'
  AND (c.conparentid = 0 OR up.conrelid <> c.conrelid)
  AND c.connamespace IN ('fkd_orphans'::regnamespace, '"Fkd Other"'::regnamespace)
ORDER BY 1;
UPDATE pg_constraint SET convalidated = false
WHERE contype = 'f' AND connamespace IN ('fkd_orphans'::regnamespace, '"Fkd Other"'::regnamespace);
CREATE TABLE kept AS
(SELECT child_table, child_ctid FROM fk_orphans('orders') ORDER BY child_ctid LIMIT 1)
UNION ALL
(SELECT child_table, child_ctid FROM fk_orphans('events_high'));
SELECT format('DELETE FROM %s WHERE ctid = %L', o.child_table, o.child_ctid)
FROM fk_orphans() o
JOIN pg_class c ON c.oid = o.child_table
WHERE c.relnamespace::regnamespace::text IN ('fkd_orphans', '"Fkd Other"')
  AND (o.child_table, o.child_ctid) NOT IN (SELECT * FROM kept)
ORDER BY 1
\gexec
SELECT * FROM orphans;
SELECT * FROM validations \gexec
SELECT format('DELETE FROM %s WHERE ctid = %L', child_table, child_ctid) FROM kept \gexec
SELECT * FROM validations \gexec
SELECT count(*) AS keys_not_valid FROM pg_constraint c
WHERE contype = 'f' AND NOT convalidated
  AND format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.conrelid::regclass, c.conname)
      IN (SELECT * FROM validations);

SET client_min_messages = warning;
DROP SCHEMA fkd_orphans, "Fkd Other" CASCADE;
RESET client_min_messages;
