-- fk_check_key(): the rows a foreign key would reject if it were added now,
-- judged as ADD FOREIGN KEY would judge them. PostgreSQL is the referee:
-- each case also adds the key (and rolls it back).
\set VERBOSITY default
CREATE SCHEMA fkd_ck;
SET search_path = fkd_ck, public;
CREATE COLLATION fkd_ck.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE DOMAIN small_id AS int CHECK (VALUE > 0);

CREATE TABLE customers (id bigint PRIMARY KEY, code text COLLATE fkd_ck.ci UNIQUE, tag varchar(10) UNIQUE);
CREATE TABLE slots (a int, b text, UNIQUE (a, b));
CREATE TABLE orders (
    id int PRIMARY KEY,
    customer_id int,           -- int referencing bigint: the opfamily's cross-type =
    customer small_id,         -- a domain over int
    code text COLLATE fkd_ck.ci,  -- compared as the parent's nondeterministic collation says
    tag text,                  -- text referencing varchar
    price numeric,             -- no equality with bigint in the index's opfamily
    a int, b text,             -- a composite key, named in another order than the index
    spot point);
INSERT INTO customers VALUES (1, 'abc', 't1'), (2, 'XyZ', 't2');
INSERT INTO slots VALUES (1, 'x'), (2, 'y');
INSERT INTO orders VALUES
    (1, 1, 1, 'ABC', 't1', 1, 1, 'x', NULL),
    (2, 7, 7, 'xyz', 't3', 2, 1, NULL, NULL),
    (3, NULL, NULL, 'nope', NULL, NULL, 3, 'z', NULL),
    (4, 2, 2, NULL, 't2', NULL, NULL, 'y', NULL);

-- fk_check_key's rows, and whether ADD FOREIGN KEY accepts the key.
CREATE FUNCTION fkd_ck.judge(child regclass, cc name[], parent regclass, pc name[],
                             m text DEFAULT 'SIMPLE')
RETURNS TABLE (rejected_rows bigint, postgres_accepts boolean) LANGUAGE plpgsql AS $$
BEGIN
    rejected_rows := (SELECT count(*) FROM fk_check_key(child, cc, parent, pc, m));
    BEGIN
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT fkd_judge FOREIGN KEY (%s) REFERENCES %s %s MATCH %s',
            child, (SELECT string_agg(quote_ident(c), ', ') FROM unnest(cc) c), parent,
            CASE WHEN pc IS NULL THEN '' ELSE '(' || (SELECT string_agg(quote_ident(c), ', ') FROM unnest(pc) c) || ')' END, m);
        RAISE EXCEPTION 'accepted' USING ERRCODE = 'P0004';
    EXCEPTION
        WHEN SQLSTATE 'P0004' THEN postgres_accepts := true;
        WHEN foreign_key_violation THEN postgres_accepts := false;
    END;
    RETURN NEXT;
END $$;

SELECT * FROM fk_check_key('orders', '{customer_id}', 'customers', '{id}');
SELECT * FROM judge('orders', '{customer_id}', 'customers', '{id}');
SELECT * FROM judge('orders', '{customer_id}', 'customers', NULL);    -- the primary key
SELECT * FROM judge('orders', '{customer}', 'customers', '{id}');
SELECT code, missing_key FROM fk_check_key('orders', '{code}', 'customers', '{code}') JOIN orders o ON o.ctid = child_ctid;
SELECT * FROM judge('orders', '{code}', 'customers', '{code}');
SELECT * FROM judge('orders', '{tag}', 'customers', '{tag}');
SELECT missing_key FROM fk_check_key('orders', '{b,a}', 'slots', '{b,a}');
SELECT * FROM judge('orders', '{b,a}', 'slots', '{b,a}');
SELECT missing_key FROM fk_check_key('orders', '{b,a}', 'slots', '{b,a}', 'full');
SELECT * FROM judge('orders', '{b,a}', 'slots', '{b,a}', 'FULL');
SELECT count(*) FROM fk_check_key('orders', '{customer_id}', 'customers', '{id}', max_rows => 1);
-- Once the orphans are gone, the key can be added (the README's online way:
-- ADD ... NOT VALID, then VALIDATE CONSTRAINT in its own transaction).
DELETE FROM orders WHERE id = 2;
SELECT * FROM judge('orders', '{customer_id}', 'customers', '{id}');
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;

-- Bad input: the same refusals as ADD FOREIGN KEY, saying which.
SELECT * FROM fk_check_key('orders', '{nope}', 'customers', '{id}');
SELECT * FROM fk_check_key('orders', '{customer_id}', 'customers', '{nope}');
SELECT * FROM fk_check_key('orders', '{customer_id, a}', 'customers', '{id}');
SELECT * FROM fk_check_key('orders', '{customer_id, a}', 'customers', NULL);
SELECT * FROM fk_check_key('orders', '{a}', 'slots', '{a}');
ALTER TABLE orders ADD FOREIGN KEY (a) REFERENCES slots (a);
SELECT * FROM fk_check_key('orders', '{price}', 'customers', '{id}');
\set VERBOSITY terse
ALTER TABLE orders ADD FOREIGN KEY (price) REFERENCES customers (id);  -- PostgreSQL's words
\set VERBOSITY default
SELECT * FROM fk_check_key('orders', '{spot}', 'customers', '{id}');
SELECT * FROM fk_check_key('orders', '{a,b}', 'slots', '{a,a}');
SELECT * FROM fk_check_key('orders', '{customer_id}', 'customers', '{id}', 'partial');
SELECT * FROM fk_check_key('orders', '{customer_id}', 'customers', '{id}', 'loose');
SELECT * FROM fk_check_key('orders', '{}', 'customers', '{}');
SELECT * FROM fk_check_key('orders', '{ctid}', 'customers', '{id}');
CREATE VIEW v AS SELECT 1 AS id;
SELECT * FROM fk_check_key('orders', '{id}', 'v', '{id}');
SELECT * FROM fk_check_key('orders', NULL, 'customers', '{id}');
CREATE TABLE no_pk (id int);
SELECT * FROM fk_check_key('orders', '{id}', 'no_pk', NULL);
SELECT * FROM fk_check_key('orders', '{id}', 'no_pk', '{id}');

SET client_min_messages = warning;
DROP SCHEMA fkd_ck CASCADE;
RESET client_min_messages;
