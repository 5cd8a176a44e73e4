-- Chains repaired in one run: deleting (or quarantining) orphans that other
-- rows reference through NO ACTION, RESTRICT or CASCADE keys takes those
-- rows with them in one statement, so one \gexec in one transaction
-- succeeds and leaves every key valid (PostgreSQL's check, from scratch, judges).
\set VERBOSITY default
SELECT setval('fk_quarantine_batch_seq', 200, false);
CREATE SCHEMA fkd_chain;
SET search_path = fkd_chain, public;
CREATE TABLE customers (id int PRIMARY KEY);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers);
CREATE TABLE order_lines (order_id int REFERENCES orders, line int, PRIMARY KEY (order_id, line));
CREATE TABLE line_notes (order_id int, line int, body text,
    FOREIGN KEY (order_id, line) REFERENCES order_lines ON DELETE RESTRICT);
-- A tree: a node whose customer is missing, and one whose parent node is.
CREATE TABLE nodes (id int PRIMARY KEY, up int REFERENCES nodes, customer_id int REFERENCES customers);
INSERT INTO customers VALUES (1);
SET session_replication_role = replica;
INSERT INTO orders VALUES (1, 1), (2, 99), (3, 98);
INSERT INTO order_lines VALUES (1, 1), (2, 1), (2, 2), (3, 1);
INSERT INTO line_notes VALUES (1, 1, 'kept'), (2, 2, 'goes'), (3, 1, 'goes too');
INSERT INTO nodes VALUES (1, NULL, 1), (2, 1, 1), (10, NULL, 99), (11, 10, 1), (12, 11, 1),
    (20, 77, 1), (21, 20, 1), (3, 2, 1);
RESET session_replication_role;

CREATE FUNCTION fkd_chain.every_key_holds() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE k record;
BEGIN
    FOR k IN SELECT conrelid::regclass AS t, conname, pg_get_constraintdef(oid) AS def
             FROM pg_constraint WHERE contype = 'f' AND connamespace = 'fkd_chain'::regnamespace LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s', k.t, k.conname, k.conname, k.def);
    END LOOP;
    RAISE EXCEPTION 'held' USING ERRCODE = 'P0004';
EXCEPTION WHEN SQLSTATE 'P0004' THEN RETURN true;
          WHEN foreign_key_violation THEN RETURN false;
END $$;
SELECT every_key_holds() AS before;

-- The preview: what each statement would change beyond its own orphans,
-- before anything runs; and, run alone, each statement changes exactly that.
CREATE FUNCTION fkd_chain.counters() RETURNS jsonb LANGUAGE sql SET search_path = pg_catalog AS $$
    SELECT jsonb_object_agg(c.oid::regclass::text, jsonb_build_array(
        pg_stat_get_xact_tuples_inserted(c.oid), pg_stat_get_xact_tuples_updated(c.oid),
        pg_stat_get_xact_tuples_deleted(c.oid)))
    FROM pg_class c WHERE c.relnamespace = 'fkd_chain'::regnamespace AND c.relkind = 'r' $$;
CREATE FUNCTION fkd_chain.preview_matches(how text)
RETURNS TABLE (key name, rows_affected bigint, side_effects jsonb, actual jsonb)
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE r record; before jsonb; after jsonb; kinds text[] := '{inserted,updated,deleted}';
BEGIN
    FOR r IN SELECT * FROM fk_repairs(NULL, how) f WHERE f.step = 'repair' AND f.statement IS NOT NULL LOOP
        key := r.constraint_name; rows_affected := r.rows_affected; side_effects := r.side_effects;
        BEGIN
            before := fkd_chain.counters();
            EXECUTE r.statement;
            after := fkd_chain.counters();
            SELECT COALESCE(jsonb_object_agg(kinds[i], o), '{}') INTO actual FROM (
                SELECT i, jsonb_object_agg(t, v) AS o FROM (
                    SELECT i, t, (after->t->>(i - 1))::bigint - (before->t->>(i - 1))::bigint
                              - CASE WHEN i = 3 AND t = r.child_table::text THEN r.rows_affected ELSE 0 END AS v
                    FROM jsonb_object_keys(after) t, generate_series(1, 3) i) d
                WHERE v <> 0 GROUP BY i) k;
            RAISE EXCEPTION 'undo' USING ERRCODE = 'P0004';
        EXCEPTION WHEN SQLSTATE 'P0004' THEN NULL;
        END;
        RETURN NEXT;
    END LOOP;
END $$;
SELECT key, rows_affected, side_effects, side_effects = actual AS preview_is_exact
FROM preview_matches('delete') ORDER BY key;
SELECT key, side_effects = actual AS preview_is_exact FROM preview_matches('quarantine') ORDER BY key;
SELECT key, actual FROM preview_matches('delete') ORDER BY key;
-- A NO ACTION key the statement cannot follow (another owner): the preview
-- says it fails, and which rows stop it.
CREATE ROLE fkd_chain_other;
CREATE TABLE fkd_chain.invoices (order_id int REFERENCES fkd_chain.orders);
ALTER TABLE fkd_chain.invoices OWNER TO fkd_chain_other;
GRANT USAGE ON SCHEMA fkd_chain TO fkd_chain_other;
GRANT SELECT, REFERENCES ON fkd_chain.orders TO fkd_chain_other;
INSERT INTO fkd_chain.invoices VALUES (2), (2), (3), (1);
SELECT constraint_name, side_effects FROM fk_repairs('fkd_chain.orders', 'delete') WHERE step = 'repair';
DROP TABLE fkd_chain.invoices;
REVOKE ALL ON SCHEMA fkd_chain FROM fkd_chain_other;
REVOKE ALL ON fkd_chain.orders FROM fkd_chain_other;
DROP ROLE fkd_chain_other;

SELECT constraint_name, strategy, rows_affected, note FROM fk_repairs(NULL, 'delete')
WHERE step = 'repair' ORDER BY constraint_name;
SELECT statement FROM fk_repairs('orders', 'delete') WHERE step = 'repair';

-- Delete: one \gexec, one transaction.
BEGIN;
\set ON_ERROR_STOP on
SELECT statement FROM fk_repairs(NULL, 'delete') \gexec
\set ON_ERROR_STOP off
SELECT every_key_holds() AS after_delete, (SELECT count(*) FROM fk_orphans()) AS orphans;
SELECT * FROM orders ORDER BY id;
SELECT * FROM order_lines ORDER BY 1, 2;
SELECT body FROM line_notes ORDER BY 1;
SELECT id, up FROM nodes ORDER BY id;
ROLLBACK;

-- Quarantine: the same rows move out, and come back.
BEGIN;
\set ON_ERROR_STOP on
SELECT statement FROM fk_repairs(NULL, 'quarantine') \gexec
\set ON_ERROR_STOP off
SELECT every_key_holds() AS after_quarantine, (SELECT count(*) FROM fk_orphans()) AS orphans;
SELECT child_table, constraint_name, level, row_data FROM fk_quarantine ORDER BY child_table::text, level, row_data;
COMMIT;
SELECT DISTINCT batch FROM fk_quarantine ORDER BY 1;
SELECT fk_restore(batch) FROM (SELECT DISTINCT batch FROM fk_quarantine) b ORDER BY 1;
SELECT count(*) AS orders, (SELECT count(*) FROM order_lines) AS lines,
       (SELECT count(*) FROM line_notes) AS notes, (SELECT count(*) FROM nodes) AS nodes FROM orders;
SELECT constraint_name, count(*) FROM fk_orphans() GROUP BY 1 ORDER BY 1;

SET client_min_messages = warning;
DROP SCHEMA fkd_chain CASCADE;
RESET client_min_messages;
