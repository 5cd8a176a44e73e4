-- The Citus case's data, in schema bench, the same on one server and on a
-- Citus cluster. psql variables: children, parents, orphans, citus (on:
-- the parent and the child are distributed, co-located, by the parent's
-- key). The orphans get in as in real life: written with replica mode
-- reaching the shards (on Citus, citus.propagate_set_commands = 'local'
-- inside a transaction), where the RI triggers do not fire.
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
SET search_path = bench;

CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL DEFAULT '');
-- A distributed table's primary key includes its distribution column.
CREATE TABLE child (id bigint, parent_id int, payload int, PRIMARY KEY (parent_id, id));
\if :citus
SELECT create_distributed_table('parent', 'id');
SELECT create_distributed_table('child', 'parent_id', colocate_with => 'parent');
\endif
ALTER TABLE child ADD CONSTRAINT child_parent_fkey FOREIGN KEY (parent_id) REFERENCES parent;

INSERT INTO parent (id) SELECT generate_series(1, :parents);
INSERT INTO child
SELECT g, 1 + g % :parents, g FROM generate_series(1, :children) g
WHERE g % (:children / :orphans) <> 0;
BEGIN;
\if :citus
SET LOCAL citus.propagate_set_commands = 'local';
\endif
SET LOCAL session_replication_role = replica;
INSERT INTO child
SELECT g, :parents + g, g FROM generate_series(1, :children) g
WHERE g % (:children / :orphans) = 0;
COMMIT;

VACUUM ANALYZE parent, child;
