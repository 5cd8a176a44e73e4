-- PostgreSQL 18's temporal foreign keys (PERIOD), judged by coverage, as the
-- insert trigger judges them (RI_FKey_check in ri_triggers.c): a child row
-- is fine only if its period is contained in the union of the periods of
-- the parent rows with equal scalar columns that overlap it. Run on 18 only.
--
-- The judge is PostgreSQL itself: each child row is inserted alone into a
-- copy of its table that has the key enforced, and the rows it rejects are
-- compared with fkdoctor's orphans, row for row.
CREATE EXTENSION btree_gist;
CREATE SCHEMA t18;
SET search_path = t18, public;

CREATE FUNCTION judge_rejects(source regclass, copy regclass)
RETURNS TABLE (tab regclass, row_ctid tid)
LANGUAGE plpgsql AS $$
BEGIN
    FOR tab, row_ctid IN EXECUTE format('SELECT tableoid, ctid FROM %s', source) LOOP
        BEGIN
            EXECUTE format('INSERT INTO %s SELECT * FROM %s WHERE tableoid = $1 AND ctid = $2',
                           copy, source) USING tab, row_ctid;
            EXECUTE format('DELETE FROM %s', copy);
        EXCEPTION WHEN foreign_key_violation THEN
            RETURN NEXT;
        END;
    END LOOP;
END $$;

-- Row for row: each child row, what the trigger says, what fkdoctor says.
CREATE FUNCTION verdicts(source regclass, copy regclass)
RETURNS TABLE (id int, trigger_rejects boolean, fkdoctor_orphan boolean)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT c.id, (c.tableoid::regclass, c.ctid) IN (SELECT * FROM judge_rejects(%L, %L)),
                (c.tableoid::regclass, c.ctid) IN (SELECT child_table, child_ctid FROM fk_orphans(%L))
         FROM %s c ORDER BY c.id', source, copy, source, source);
END $$;

CREATE TABLE rooms (id int, valid_at daterange, note text,
                    PRIMARY KEY (id, valid_at WITHOUT OVERLAPS));
INSERT INTO rooms VALUES
    (1, '[2024-01-01,2024-01-10)'), (1, '[2024-01-10,2024-01-20)'),   -- adjacent
    (2, '[2024-01-01,2024-01-05)'), (2, '[2024-01-07,2024-01-10)'),   -- a gap
    (4, '(,2024-01-01)'), (4, '[2024-01-01,)');                       -- unbounded
CREATE TABLE bookings (id int PRIMARY KEY, room_id int, valid_at daterange,
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at));
ALTER TABLE bookings DISABLE TRIGGER ALL;
INSERT INTO bookings VALUES
    (1, 1, '[2024-01-02,2024-01-05)'),    -- covered by one parent
    (2, 1, '[2024-01-02,2024-01-15)'),    -- covered by two adjacent parents
    (3, 2, '[2024-01-02,2024-01-08)'),    -- a gap: orphan
    (4, 1, '[2023-12-30,2024-01-03)'),    -- starts early: orphan
    (5, 1, '[2024-01-15,)'),              -- unbounded, parents end: orphan
    (6, 4, '(,)'),                        -- unbounded, covered by two unbounded parents
    (7, 1, 'empty'),                      -- empty overlaps nothing: orphan
    (8, 1, NULL),                         -- NULL period: not checked (MATCH SIMPLE)
    (9, NULL, '[2024-01-02,2024-01-03)'), -- NULL scalar: not checked
    (10, 3, '[2024-01-02,2024-01-03)'),   -- no parent at all: orphan
    (11, 2, '[2024-01-07,2024-01-10)');   -- exactly one parent's period
ALTER TABLE bookings ENABLE TRIGGER ALL;
CREATE TABLE bookings_judge (LIKE bookings,
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at));

SELECT constraint_name, child_columns, parent_columns, match_type, validated, enforcement,
       child_index, period_column
FROM fk_constraints('bookings');
SELECT * FROM verdicts('bookings', 'bookings_judge');
SELECT count(*) AS disagreements FROM verdicts('bookings', 'bookings_judge')
WHERE trigger_rejects <> fkdoctor_orphan;
-- missing_key: the scalar key, and the part of the period no parent covers.
SELECT child_key, missing_key FROM fk_orphans('bookings') ORDER BY child_key->>'id';
SELECT child_key FROM fk_orphans('bookings', 2) ORDER BY 1;
-- The audit: orphan rows, and the distinct missing scalar keys (1, 2 and 3).
SELECT constraint_name, rows_checked, orphan_rows, missing_keys, status,
       diagnosis LIKE '%accept a row whose period overlaps%' AS names_overlap_only_checks,
       diagnosis LIKE '%bt_index_parent_check%' AS names_btree_check
FROM fk_audit('bookings');
-- PostgreSQL's own message: the child row's key as the trigger prints it.
SELECT fk_assert_clean('bookings');
INSERT INTO bookings_judge SELECT * FROM bookings WHERE id = 5;
-- The in-memory check never takes a temporal key: the same answers without it.
SET fkdoctor.check_in_memory = off;
SELECT count(*) AS orphans_by_anti_join FROM fk_orphans('bookings');
RESET fkdoctor.check_in_memory;

-- 18.3's own VALIDATE CONSTRAINT tests overlap only and accepts rows the
-- trigger rejects (3 and 4 here): the trigger is the definition matched.
CREATE TABLE bookings_nv (LIKE bookings INCLUDING INDEXES);
INSERT INTO bookings_nv SELECT * FROM bookings WHERE id IN (1, 3, 4);
ALTER TABLE bookings_nv ADD CONSTRAINT bookings_nv_fkey
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at) NOT VALID;
ALTER TABLE bookings_nv VALIDATE CONSTRAINT bookings_nv_fkey;
SELECT child_key, missing_key FROM fk_orphans('bookings_nv') ORDER BY 1;
DROP TABLE bookings_nv;

-- Lint: no B-tree index proposed; a GiST index on the key's columns serves it.
SELECT "check", severity, fix FROM fk_lint('bookings') ORDER BY 1;
CREATE INDEX bookings_room_period ON bookings USING gist (room_id, valid_at);
SELECT child_index FROM fk_constraints('bookings');
SELECT "check" FROM fk_lint('bookings') ORDER BY 1;
SELECT advice FROM fk_audit('bookings');

-- Repairs: insert_parent is ruled out (fkdoctor does not make up a parent's
-- periods), delete and set_null re-check coverage.
SELECT step, strategy, statement IS NULL AS by_hand, rows_affected, note FROM fk_repairs('bookings');
SELECT fk_repairs('bookings', 'insert_parent');
SELECT fk_repairs('bookings', 'set_default');
BEGIN;
SELECT strategy, rows_affected FROM fk_repairs('bookings', 'delete');
SELECT statement FROM fk_repairs('bookings', 'delete') \gexec
SELECT id FROM bookings ORDER BY id;
SELECT count(*) AS judge_rejects FROM judge_rejects('bookings', 'bookings_judge');
SELECT count(*) AS orphans_left FROM fk_orphans('bookings');
SELECT fk_assert_clean('bookings');
SELECT count(*) AS repairs_left FROM fk_repairs('bookings');
ROLLBACK;
BEGIN;
SELECT strategy, rows_affected, note FROM fk_repairs('bookings', 'set_null');
SELECT statement FROM fk_repairs('bookings', 'set_null') \gexec
-- The period is kept; only the scalar key column is emptied.
SELECT id, room_id, valid_at FROM bookings ORDER BY id;
SELECT count(*) AS judge_rejects FROM judge_rejects('bookings', 'bookings_judge');
SELECT count(*) AS orphans_left FROM fk_orphans('bookings');
ROLLBACK;

-- MATCH FULL (18 accepts it with PERIOD): a partly NULL key is a violation.
CREATE TABLE bookings_full (id int PRIMARY KEY, room_id int, valid_at daterange,
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at) MATCH FULL);
ALTER TABLE bookings_full DISABLE TRIGGER ALL;
INSERT INTO bookings_full VALUES
    (1, 1, '[2024-01-02,2024-01-15)'), (2, 1, NULL), (3, NULL, '[2024-01-02,2024-01-03)'),
    (4, NULL, NULL), (5, 2, '[2024-01-02,2024-01-08)');
ALTER TABLE bookings_full ENABLE TRIGGER ALL;
CREATE TABLE bookings_full_judge (LIKE bookings_full,
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at) MATCH FULL);
SELECT * FROM verdicts('bookings_full', 'bookings_full_judge');
SELECT child_key, missing_key FROM fk_orphans('bookings_full') ORDER BY 1;
SELECT "check" FROM fk_lint('bookings_full') ORDER BY 1;
BEGIN;
SELECT statement FROM fk_repairs('bookings_full', 'set_null') \gexec
SELECT id, room_id, valid_at FROM bookings_full ORDER BY id;
SELECT count(*) AS judge_rejects FROM judge_rejects('bookings_full', 'bookings_full_judge');
ROLLBACK;

-- Multirange periods.
CREATE TABLE mrooms (id int, valid_at datemultirange,
                     PRIMARY KEY (id, valid_at WITHOUT OVERLAPS));
INSERT INTO mrooms VALUES
    (1, '{[2024-01-01,2024-01-10)}'), (1, '{[2024-01-10,2024-01-20),[2024-02-01,2024-02-05)}');
CREATE TABLE mbookings (id int PRIMARY KEY, room_id int, valid_at datemultirange,
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES mrooms (id, PERIOD valid_at));
ALTER TABLE mbookings DISABLE TRIGGER ALL;
INSERT INTO mbookings VALUES
    (1, 1, '{[2024-01-02,2024-01-15)}'),                          -- two adjacent parents
    (2, 1, '{[2024-01-02,2024-01-05),[2024-02-02,2024-02-03)}'),  -- two parents, two parts
    (3, 1, '{}'),                                                 -- empty: orphan
    (4, 1, '{[2024-01-02,2024-01-25)}'),                          -- a gap: orphan
    (5, 1, '{[2024-01-02,2024-01-03),[2024-03-01,2024-03-02)}'),  -- one part uncovered
    (6, 2, '{[2024-01-02,2024-01-03)}');                          -- no parent
ALTER TABLE mbookings ENABLE TRIGGER ALL;
CREATE TABLE mbookings_judge (LIKE mbookings,
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES mrooms (id, PERIOD valid_at));
SELECT * FROM verdicts('mbookings', 'mbookings_judge');
SELECT child_key, missing_key FROM fk_orphans('mbookings') ORDER BY 1;
SELECT orphan_rows, missing_keys FROM fk_audit('mbookings');
BEGIN;
SELECT statement FROM fk_repairs('mbookings', 'delete') \gexec
SELECT count(*) AS judge_rejects FROM judge_rejects('mbookings', 'mbookings_judge');
SELECT count(*) AS orphans_left FROM fk_orphans('mbookings');
ROLLBACK;

-- Partitioned parent and child, and a key of plain values on the same
-- child (checked in memory) beside the temporal one.
CREATE TABLE prooms (id int, valid_at daterange, PRIMARY KEY (id, valid_at WITHOUT OVERLAPS))
    PARTITION BY RANGE (id);
CREATE TABLE prooms_1 PARTITION OF prooms FOR VALUES FROM (0) TO (10);
CREATE TABLE prooms_2 PARTITION OF prooms FOR VALUES FROM (10) TO (20);
INSERT INTO prooms VALUES (1, '[2024-01-01,2024-01-10)'), (11, '[2024-01-01,2024-01-10)'),
                          (11, '[2024-01-10,2024-01-12)');
CREATE TABLE guests (id int PRIMARY KEY);
INSERT INTO guests VALUES (1);
CREATE TABLE pbookings (id int, room_id int, guest_id int REFERENCES guests, valid_at daterange,
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES prooms (id, PERIOD valid_at))
    PARTITION BY RANGE (id);
CREATE TABLE pbookings_1 PARTITION OF pbookings FOR VALUES FROM (0) TO (10);
CREATE TABLE pbookings_2 PARTITION OF pbookings FOR VALUES FROM (10) TO (20);
SET session_replication_role = replica;
INSERT INTO pbookings VALUES
    (1, 1, 1, '[2024-01-02,2024-01-05)'), (2, 1, 2, '[2024-01-02,2024-01-15)'),
    (12, 11, 1, '[2024-01-02,2024-01-11)'), (13, 11, 1, '[2024-01-02,2024-01-13)');
RESET session_replication_role;
CREATE TABLE pbookings_judge (id int, room_id int, guest_id int, valid_at daterange,
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES prooms (id, PERIOD valid_at));
SELECT constraint_name, period_column FROM fk_constraints('pbookings') ORDER BY 1;
SELECT * FROM verdicts('pbookings', 'pbookings_judge');
SELECT constraint_name, child_table, missing_key FROM fk_orphans('pbookings') ORDER BY 1, 2;
SELECT constraint_name, rows_checked, orphan_rows, missing_keys FROM fk_audit('pbookings');
-- A budgeted audit reads a temporal key by blocks of each leaf, the same
-- coverage test for each row: the leaves' ranges sum to the audit's count.
SELECT constraint_name, child_table, rows_checked, orphan_rows
FROM fk_audit_blocks('pbookings', 'pbookings_2', 0, 1) ORDER BY 1;
SELECT constraint_name, sum(a.rows_checked) AS rows_checked, sum(a.orphan_rows) AS orphan_rows
FROM (VALUES ('pbookings_1'::regclass), ('pbookings_2')) h(heap),
     fk_audit_blocks('pbookings', h.heap, 0, 1) a
GROUP BY constraint_name ORDER BY 1;
BEGIN;
SELECT statement FROM fk_repairs('pbookings', 'delete') \gexec
SELECT id FROM pbookings ORDER BY id;
SELECT count(*) AS judge_rejects FROM judge_rejects('pbookings', 'pbookings_judge');
SELECT fk_assert_clean('pbookings');
ROLLBACK;

-- A temporal key declared NOT ENFORCED: the repairs end with ENFORCED.
CREATE TABLE bookings_ne (LIKE bookings);
INSERT INTO bookings_ne SELECT * FROM bookings;
ALTER TABLE bookings_ne ADD CONSTRAINT bookings_ne_fkey
    FOREIGN KEY (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at) NOT ENFORCED;
SELECT enforcement, period_column FROM fk_constraints('bookings_ne');
SELECT count(*) AS orphans FROM fk_orphans('bookings_ne');
BEGIN;
SELECT step, strategy, statement FROM fk_repairs('bookings_ne', 'delete');
SELECT statement FROM fk_repairs('bookings_ne', 'delete') \gexec
SELECT conenforced, convalidated FROM pg_constraint WHERE conname = 'bookings_ne_fkey';
SELECT count(*) AS judge_rejects FROM judge_rejects('bookings_ne', 'bookings_judge');
ROLLBACK;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA t18 CASCADE;
RESET client_min_messages;
DROP EXTENSION btree_gist;
