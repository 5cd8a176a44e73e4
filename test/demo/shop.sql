-- A small shop whose foreign keys were broken the ways real ones are.
CREATE SCHEMA shop;
SET search_path = shop;

CREATE TABLE customers (customer_id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE products (product_id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (
    order_id int PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers,
    ordered_at date NOT NULL DEFAULT current_date);
CREATE TABLE order_lines (
    order_id int REFERENCES orders ON DELETE CASCADE,
    line_no int,
    product_id int REFERENCES products,
    quantity int NOT NULL DEFAULT 1,
    PRIMARY KEY (order_id, line_no));
CREATE TABLE shipments (
    shipment_id int PRIMARY KEY,
    order_id int,
    line_no int,
    FOREIGN KEY (order_id, line_no) REFERENCES order_lines MATCH FULL);
CREATE TABLE "Product Reviews" (
    review_id int PRIMARY KEY,
    product_id int,
    "Stars" int);

INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 20) g;
INSERT INTO products SELECT g, 'product ' || g FROM generate_series(1, 10) g;

-- 1. A bulk load with the triggers switched off brought orders of customers
--    that were never loaded.
ALTER TABLE orders DISABLE TRIGGER ALL;
INSERT INTO orders (order_id, customer_id) SELECT g, 1 + g % 23 FROM generate_series(1, 40) g;
ALTER TABLE orders ENABLE TRIGGER ALL;

INSERT INTO order_lines SELECT o, l, 1 + (o + l) % 10, l FROM generate_series(1, 10) o, generate_series(1, 3) l;

-- 2. A replication-style apply (session_replication_role = replica, as a
--    logical-replication subscriber runs) delivered lines and shipments
--    without the rows they point to.
SET session_replication_role = replica;
INSERT INTO order_lines VALUES (41, 1, 3, 1), (42, 1, 12, 2), (5, 4, 11, 1);
INSERT INTO shipments VALUES (1, 1, 1), (2, 5, 9), (3, 7, NULL);
RESET session_replication_role;

-- 3. Reviews of products that were deleted, and a key added NOT VALID
--    afterwards so the old rows were never checked.
INSERT INTO "Product Reviews" VALUES (1, 1, 5), (2, 4, 3), (3, 15, 1), (4, 16, 4);
ALTER TABLE "Product Reviews" ADD CONSTRAINT "Product Reviews_product_fkey"
    FOREIGN KEY (product_id) REFERENCES products NOT VALID;

-- The shop belongs to its application's role, as in production: fkdoctor,
-- run by a superuser, checks each key as its table's owner, and each repair
-- comes wrapped to run as the owner (SET ROLE shop_owner; ...; RESET ROLE).
DROP ROLE IF EXISTS shop_owner;
CREATE ROLE shop_owner NOLOGIN;
ALTER SCHEMA shop OWNER TO shop_owner;
ALTER TABLE customers OWNER TO shop_owner;
ALTER TABLE products OWNER TO shop_owner;
ALTER TABLE orders OWNER TO shop_owner;
ALTER TABLE order_lines OWNER TO shop_owner;
ALTER TABLE shipments OWNER TO shop_owner;
ALTER TABLE "Product Reviews" OWNER TO shop_owner;

RESET search_path;
