-- Benchmark data, in schema bench. psql variables: children, parents,
-- orphans (in child), three_key_rows, half_rows, sparse_parents (0: no
-- sparse case). Orphans get in the way they
-- do in real life: written under session_replication_role = replica, where
-- the RI triggers do not fire.
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
SET search_path = bench;
SET session_replication_role = replica;

-- The main case: a big child of a parent a tenth its size, a few orphans.
CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL DEFAULT '');
INSERT INTO parent (id) SELECT generate_series(1, :parents);
CREATE TABLE child (id bigint PRIMARY KEY, parent_id int REFERENCES parent, payload int);
INSERT INTO child
SELECT g, CASE WHEN g % (:children / :orphans) = 0 THEN :parents + g ELSE 1 + g % :parents END, g
FROM generate_series(1, :children) g;

-- One table, three keys: integer, integer and text (codes like 'k123'),
-- orphans in the text one.
CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (id int PRIMARY KEY);
CREATE TABLE c (id text PRIMARY KEY);
INSERT INTO a SELECT generate_series(1, :parents);
INSERT INTO b SELECT generate_series(1, :parents);
INSERT INTO c SELECT 'k' || generate_series(1, :parents);
CREATE TABLE three_keys (id bigint PRIMARY KEY,
    a_id int REFERENCES a, b_id int REFERENCES b, c_id text REFERENCES c);
INSERT INTO three_keys
SELECT g, 1 + g % :parents, 1 + (g * 7) % :parents,
       'k' || CASE WHEN g % 1000 = 0 THEN :parents + g ELSE 1 + (g * 13) % :parents END
FROM generate_series(1, :three_key_rows) g;

-- The main case again with a text key: codes like 'k123'.
CREATE TABLE codes (id text PRIMARY KEY);
INSERT INTO codes SELECT 'k' || generate_series(1, :parents);
CREATE TABLE text_child (id bigint PRIMARY KEY, parent_id text REFERENCES codes, payload int);
INSERT INTO text_child
SELECT g, 'k' || CASE WHEN g % (:children / :orphans) = 0 THEN :parents + g ELSE 1 + g % :parents END, g
FROM generate_series(1, :children) g;

-- A parent whose keys do not fit maintenance_work_mem (64MB by default):
-- sparse bigints, as many as sparse_parents (the large scale: 20M), which
-- neither a bitmap nor a hash set of that memory can hold.
SELECT :sparse_parents > 0 AS sparse \gset
\if :sparse
CREATE TABLE sparse_parent (id bigint PRIMARY KEY);
INSERT INTO sparse_parent SELECT g * 1000003 FROM generate_series(1, :sparse_parents::bigint) g;
CREATE TABLE sparse_child (id bigint PRIMARY KEY, parent_id bigint REFERENCES sparse_parent);
INSERT INTO sparse_child
SELECT g, CASE WHEN g % (:children / :orphans) = 0 THEN (1 + g % :sparse_parents) * 1000003 + 1
               ELSE (1 + g % :sparse_parents) * 1000003 END
FROM generate_series(1, :children::bigint) g;
\endif

-- Half the rows are orphans; and a table of the same size with a tenth as
-- many (one row in twenty), for the memory comparison.
CREATE TABLE half (id bigint PRIMARY KEY, parent_id int REFERENCES parent);
INSERT INTO half SELECT g, CASE WHEN g % 2 = 0 THEN :parents + g ELSE 1 + g % :parents END
FROM generate_series(1, :half_rows) g;
CREATE TABLE few (id bigint PRIMARY KEY, parent_id int REFERENCES parent);
INSERT INTO few SELECT g, CASE WHEN g % 20 = 0 THEN :parents + g ELSE 1 + g % :parents END
FROM generate_series(1, :half_rows) g;

-- As many orphans as half, but one row in ten (five times the rows): for
-- the memory of fk_orphans() when it checks the key in memory, which it
-- leaves to the anti-join when a quarter of the rows or more are orphans.
CREATE TABLE many (id bigint PRIMARY KEY, parent_id int REFERENCES parent);
INSERT INTO many SELECT g, CASE WHEN g % 10 = 0 THEN :parents + g ELSE 1 + g % :parents END
FROM generate_series(1, 5 * :half_rows) g;

RESET session_replication_role;

-- A clean copy of the main child for VALIDATE CONSTRAINT, its key added
-- NOT VALID (the benchmark validates it in a transaction it rolls back).
CREATE TABLE clean_child AS SELECT * FROM child WHERE parent_id <= :parents;
ALTER TABLE clean_child ADD PRIMARY KEY (id);
ALTER TABLE clean_child ADD CONSTRAINT clean_child_parent_fkey
    FOREIGN KEY (parent_id) REFERENCES parent NOT VALID;

VACUUM ANALYZE;
