-- Every count exact, with PostgreSQL as the judge (issue 17). An orphan is
-- a row PostgreSQL's insert/update trigger would reject if the row were
-- written now: each child row is inserted alone into a copy of its table
-- with the key enforced, and the rows the trigger rejects must be exactly
-- fk_orphans' rows. missing_keys counts the distinct parent keys that are
-- missing, as the parent sees them: the rows a copy of the referenced
-- column (its type, its collation, unique) takes from the orphans' values.
-- rows_checked is the child's rows. Every path is judged: in memory, by
-- the anti-join, with maintenance_work_mem = 1MB, and in one scan of the
-- child for all its keys (a child bigger than effective_cache_size).
CREATE SCHEMA fkd_exact;
SET search_path = fkd_exact, public;
CREATE EXTENSION citext SCHEMA fkd_exact;
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TYPE pair AS (a int, b int);
CREATE DOMAIN pair_d AS pair;

-- The parents, one per case.
CREATE TABLE nums (n int PRIMARY KEY);                     -- checked in memory
CREATE TABLE colors (name text COLLATE ci PRIMARY KEY);    -- case-insensitive parent
CREATE TABLE codes (code char(3) PRIMARY KEY);             -- text child, char(3) parent
CREATE TABLE amounts (amount float8 PRIMARY KEY);          -- numeric child, float8 parent
CREATE TABLE words (word text PRIMARY KEY);                -- citext child, text parent
CREATE TABLE tags (tag text PRIMARY KEY);                  -- case-insensitive child
CREATE TABLE pairs_a (p pair PRIMARY KEY);                 -- composite, no NULL fields
CREATE TABLE pairs_b (p pair PRIMARY KEY);                 -- composite, NULL fields too
-- PostgreSQL 15 lets a key reference a unique index whose collation is not
-- its column's: the case-insensitive column holds 'a' and 'A', both equal
-- to a child's 'a'.
CREATE TABLE letters (letter text COLLATE ci);
CREATE UNIQUE INDEX letters_c ON letters (letter COLLATE "C");
INSERT INTO nums VALUES (1);
INSERT INTO colors VALUES ('Red');
INSERT INTO codes VALUES ('ab');
INSERT INTO amounts VALUES (1.5);
INSERT INTO words VALUES ('hi');
INSERT INTO tags VALUES ('abc');
INSERT INTO pairs_a VALUES (ROW(1, 2));
INSERT INTO pairs_b VALUES (ROW(1, 2)), (ROW(NULL, NULL)), (ROW(NULL, 9));
INSERT INTO letters VALUES ('a'), ('A');

CREATE TABLE cases (
    id int PRIMARY KEY,
    n int REFERENCES nums,
    color text,
    code text REFERENCES codes,
    amount numeric REFERENCES amounts,
    word citext REFERENCES words,
    tag text COLLATE ci,
    pa pair REFERENCES pairs_a,
    pb pair REFERENCES pairs_b,
    pd pair_d REFERENCES pairs_a,                          -- a domain over a composite
    letter text COLLATE ci REFERENCES letters (letter),
    filler char(1500) NOT NULL DEFAULT '');
-- Keys between columns of different collations, one of them
-- nondeterministic: PostgreSQL 18 refuses to declare them (its output is
-- exact_counts_1.out, where these two keys are not there to check).
ALTER TABLE cases ADD CONSTRAINT cases_color_fkey FOREIGN KEY (color) REFERENCES colors;
ALTER TABLE cases ADD CONSTRAINT cases_tag_fkey FOREIGN KEY (tag) REFERENCES tags;
SET session_replication_role = replica;
INSERT INTO cases (id, n, color, code, amount, word, tag, pa, pb, pd, letter) VALUES
    (1, 5, 'Blue', 'xy', 0.1, 'hello', 'Abc', ROW(NULL, 9), ROW(NULL, NULL), ROW(NULL, 9)::pair, 'a'),
    (2, 5, 'BLUE', 'xy ', 0.1000, 'HELLO', 'ABC', ROW(7, NULL), ROW(NULL, 9), ROW(1, 2)::pair, 'A'),
    (3, 6, 'blue', 'xy  ', 0.10000000000000000001, 'bye', 'x', ROW(NULL, NULL), ROW(NULL, 8), NULL, 'b'),
    (4, 1, 'Green', 'q', 0.3, 'BYE', 'abc', ROW(1, 2), ROW(1, 2), ROW(NULL, NULL)::pair, 'B'),
    (5, NULL, 'Red', 'ab', 1.5, 'hi', NULL, NULL, NULL, NULL, NULL),
    (6, NULL, 'RED', 'ab ', 1.50, 'hi', NULL, ROW(1, 2), ROW(8, NULL), ROW(NULL, 9)::pair, 'a'),
    (7, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
RESET session_replication_role;
SELECT pg_relation_size('cases') > 8192 AS more_than_a_page;

-- The judge of orphans: each row of the child inserted alone into a copy
-- of it with the key, as declared, enforced by PostgreSQL's trigger.
CREATE FUNCTION trigger_rejects(child regclass)
RETURNS TABLE (constraint_name name, child_ctid tid)
LANGUAGE plpgsql AS $$
DECLARE
    k record;
    r record;
BEGIN
    FOR k IN SELECT c.conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
             WHERE c.conrelid = child AND c.contype = 'f' ORDER BY c.conname LOOP
        EXECUTE format('CREATE TABLE judge (LIKE %s)', child);
        EXECUTE format('ALTER TABLE judge ADD %s', k.def);
        FOR r IN EXECUTE format('SELECT ctid FROM ONLY %s', child) LOOP
            BEGIN
                EXECUTE format('INSERT INTO judge SELECT * FROM ONLY %s WHERE ctid = $1', child)
                USING r.ctid;
            EXCEPTION WHEN foreign_key_violation THEN
                constraint_name := k.conname;
                child_ctid := r.ctid;
                RETURN NEXT;
            END;
        END LOOP;
        DROP TABLE judge;
    END LOOP;
END
$$;

-- The rows of cases the trigger rejects, once: the data stays as it is
-- until the history's part below.
CREATE TABLE rejected AS SELECT * FROM trigger_rejects('cases');

-- The judge of missing keys, for a key of one column: the orphans' values
-- put into a copy of the referenced column (its type and typmod, its
-- collation, unique); the rows it keeps are the distinct missing keys.
CREATE FUNCTION keys_missing(child regclass, key name)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    k record;
    kept bigint;
BEGIN
    SELECT ca.attname AS child_column, format_type(pa.atttypid, pa.atttypmod) AS parent_type,
           (SELECT format('%I.%I', n.nspname, co.collname) FROM pg_collation co
            JOIN pg_namespace n ON n.oid = co.collnamespace WHERE co.oid = pa.attcollation) AS collation
    INTO k
    FROM pg_constraint c
    JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = c.conkey[1]
    JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
    WHERE c.conrelid = child AND c.conname = key;
    EXECUTE format('CREATE TEMP TABLE needed (k %s %s UNIQUE)', k.parent_type,
                   CASE WHEN k.collation IS NOT NULL THEN 'COLLATE ' || k.collation ELSE '' END);
    EXECUTE format('INSERT INTO needed SELECT c.%I FROM ONLY %s c '
                   'WHERE c.ctid IN (SELECT child_ctid FROM rejected WHERE constraint_name = %L) '
                   'ON CONFLICT DO NOTHING', k.child_column, child, key);
    SELECT count(*) INTO kept FROM needed;
    DROP TABLE needed;
    RETURN kept;
END
$$;

CREATE TABLE judged AS
SELECT c.conname AS constraint_name,
       (SELECT count(*) FROM rejected t WHERE t.constraint_name = c.conname) AS orphan_rows,
       keys_missing('cases', c.conname) AS missing_keys
FROM pg_constraint c WHERE c.conrelid = 'cases'::regclass AND c.contype = 'f';

-- What fkdoctor says, then whether it is the judges' answer: the counts,
-- rows_checked = the child's rows, fk_orphans' rows = the trigger's, and
-- insert_parent's rows_affected = the missing keys.
CREATE FUNCTION audit_judged(label text)
RETURNS TABLE (setting text, constraint_name name, rows_checked bigint, orphan_rows bigint,
               missing_keys bigint, counts_right boolean, orphans_right boolean,
               insert_parent_right boolean)
LANGUAGE sql AS $$
    SELECT label, a.constraint_name, a.rows_checked, a.orphan_rows, a.missing_keys,
           (a.rows_checked, a.orphan_rows, a.missing_keys) =
           ((SELECT count(*) FROM cases), j.orphan_rows, j.missing_keys),
           NOT EXISTS (
               (SELECT o.child_ctid FROM fk_orphans('cases') o WHERE o.constraint_name = a.constraint_name
                EXCEPT ALL
                SELECT t.child_ctid FROM rejected t WHERE t.constraint_name = a.constraint_name)
               UNION ALL
               (SELECT t.child_ctid FROM rejected t WHERE t.constraint_name = a.constraint_name
                EXCEPT ALL
                SELECT o.child_ctid FROM fk_orphans('cases') o WHERE o.constraint_name = a.constraint_name)),
           (SELECT r.rows_affected FROM fk_repairs('cases', 'insert_parent') r
            WHERE r.constraint_name = a.constraint_name AND r.strategy = 'insert_parent')
           IS NOT DISTINCT FROM j.missing_keys
    FROM fk_audit('cases') a JOIN judged j USING (constraint_name)
$$;

-- The judges: Blue, BLUE and blue are one key of a case-insensitive
-- parent; 'xy', 'xy ' and 'xy  ' one char(3) key; numeric 0.1, 0.1000 and
-- 0.10000000000000000001 one float8 key; citext's hello and HELLO two text
-- keys; Abc and ABC two keys of a deterministic parent, though the child's
-- column is case-insensitive. The trigger rejects ROW(NULL, 9), ROW(7, NULL)
-- and ROW(NULL, NULL) without a parent, and accepts them with one.
SELECT * FROM judged ORDER BY constraint_name;
SELECT t.constraint_name, c.id FROM rejected t JOIN cases c ON c.ctid = t.child_ctid
WHERE t.constraint_name IN ('cases_pa_fkey', 'cases_pb_fkey', 'cases_pd_fkey') ORDER BY 1, 2;
-- VALIDATE CONSTRAINT judges those rows otherwise (fk.pa IS NOT NULL is
-- false for ROW(NULL, 9)): it passes a copy that the trigger would reject.
CREATE TABLE validate_copy AS SELECT id, pa FROM cases WHERE id <> 4;
ALTER TABLE validate_copy ADD CONSTRAINT validate_copy_pa_fkey
    FOREIGN KEY (pa) REFERENCES pairs_a NOT VALID;
ALTER TABLE validate_copy VALIDATE CONSTRAINT validate_copy_pa_fkey;
SELECT constraint_name, orphan_rows, missing_keys FROM fk_audit('validate_copy');
DROP TABLE validate_copy;

-- fkdoctor's answers, in memory and by the anti-join.
SELECT * FROM audit_judged('default') ORDER BY constraint_name;
BEGIN;
SET LOCAL fkdoctor.check_in_memory = off;
SELECT setting, constraint_name, counts_right, orphans_right, insert_parent_right
FROM audit_judged('check_in_memory off') ORDER BY constraint_name;
ROLLBACK;
BEGIN;
SET LOCAL maintenance_work_mem = '1MB';
SELECT setting, constraint_name, counts_right, orphans_right, insert_parent_right
FROM audit_judged('maintenance_work_mem 1MB') ORDER BY constraint_name;
ROLLBACK;
-- One scan of the child for its keys not checked in memory: each parent
-- joined de-duplicated, so the child rows with letter 'a' (two parent rows
-- equal to it) are counted once, not once per parent row.
BEGIN;
SET LOCAL effective_cache_size = '8kB';
SELECT * FROM audit_judged('one scan') ORDER BY constraint_name;
ROLLBACK;
BEGIN;
SET LOCAL effective_cache_size = '8kB';
SET LOCAL fkdoctor.check_in_memory = off;
SELECT setting, constraint_name, counts_right, orphans_right, insert_parent_right
FROM audit_judged('one scan, check_in_memory off') ORDER BY constraint_name;
ROLLBACK;

-- fk_assert_clean says what the trigger would say of a composite key.
CREATE TABLE only_pairs (id int PRIMARY KEY, p pair REFERENCES pairs_a);
SET session_replication_role = replica;
INSERT INTO only_pairs VALUES (1, ROW(1, 2)), (2, ROW(NULL, 9));
RESET session_replication_role;
SELECT fk_assert_clean('only_pairs');
INSERT INTO only_pairs VALUES (3, ROW(NULL, 9));
DROP TABLE only_pairs;

-- The history keeps the same counts.
SELECT fk_audit_record() AS first_run \gset
SELECT l.constraint_name, l.rows_checked, l.orphan_rows, l.missing_keys,
       (l.orphan_rows, l.missing_keys) = (j.orphan_rows, j.missing_keys) AS as_judged
FROM fk_audit_log l JOIN judged j USING (constraint_name)
WHERE l.run_id = :first_run AND l.child_table = 'fkd_exact.cases'
ORDER BY 1;
-- One parent row, 'blue', makes rows 1 to 3 valid: one missing key, three
-- orphan rows, in the audit and in the changes between two runs.
INSERT INTO colors VALUES ('blue');
SELECT fk_audit_record() AS second_run \gset
SELECT constraint_name, orphans_before, orphans_now, change
FROM fk_audit_changes WHERE child_table = 'fkd_exact.cases' ORDER BY 1;
SELECT constraint_name, orphan_rows, missing_keys FROM fk_audit('cases')
WHERE constraint_name = 'cases_color_fkey';

-- The repairs re-check each row as the trigger does: after the delete
-- repairs, the trigger rejects no row, and the rows it accepted are kept.
BEGIN;
SELECT statement FROM fk_repairs('cases', 'delete') ORDER BY constraint_name \gexec
SELECT count(*) AS rejected FROM trigger_rejects('cases');
SELECT array_agg(id ORDER BY id) AS rows_kept FROM cases;
ROLLBACK;

DELETE FROM fk_audit_run WHERE run_id IN (:first_run, :second_run);
SET client_min_messages = warning;
DROP SCHEMA fkd_exact CASCADE;
RESET client_min_messages;
