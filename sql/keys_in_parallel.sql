-- The functions a parallel check runs in each process
-- (fkdoctor_internal): anyone may call them, with anything, and gets an
-- error or a right answer, never a crash; and no one but the extension's
-- owner may add functions to their schema, where a check would find them.
SET search_path = public;

-- A block of key sets by hand: 4 bytes of padding, then in 8-byte words
-- (little-endian) the magic, one key, a bitmap (kind 1) with 1024 bytes for
-- its tally, least 1, range 3, and its one word: keys 1, 2 and 3.
CREATE TABLE fkd_par_sets AS
SELECT ('\x00000000' || '666b647365747301' || '0100000000000000' || '0100000000000000'
        || '0004000000000000' || '0100000000000000' || '0300000000000000'
        || '0700000000000000')::bytea AS sets;
SELECT sets AS good FROM fkd_par_sets \gset

SELECT fkdoctor_internal.fk_orphan_tally(:'good', k)
FROM (VALUES (1), (2), (5), (NULL), (7), (5)) v(k);
SELECT k, fkdoctor_internal.fk_row_is_orphan(:'good', k::bigint) AS orphan
FROM (VALUES (0), (1), (3), (4), (NULL)) v(k);
SELECT fkdoctor_internal.fk_orphan_tally(:'good', k) FROM (VALUES (1)) v(k) WHERE false;

-- Bytes that are not key sets, the wrong columns, a value that changes
-- from row to row, the wrong ways to call.
SELECT fkdoctor_internal.fk_orphan_tally('\x00'::bytea, 1);
SELECT fkdoctor_internal.fk_orphan_tally(NULL::bytea, 1);
SELECT fkdoctor_internal.fk_orphan_tally(
    ('\x00000000666b647365747301' || repeat('ff', 40))::bytea, 1);
-- A made-up reference to sets in shared memory (4 bytes of padding, the
-- magic, a token, the sets' size, the segment's handle): no segment it
-- names holds sets with that token, nor is a handle too large for one.
SELECT ('\x00000000' || '666b647368617265' || repeat('00', 16) || '0800000000000000')::bytea
    AS reference \gset
SELECT fkdoctor_internal.fk_orphan_tally((:'reference' || '\x0000000000000000'::bytea), 1);
SELECT fkdoctor_internal.fk_orphan_tally((:'reference' || '\x0100000000000000'::bytea), 1);
SELECT fkdoctor_internal.fk_row_is_orphan((:'reference' || '\xffffffff00000000'::bytea), 1);
SELECT fkdoctor_internal.fk_orphan_tally((:'reference' || '\x0000000001000000'::bytea), 1);
SELECT fkdoctor_internal.fk_orphan_tally(:'good', 'text'::text);
SELECT fkdoctor_internal.fk_orphan_tally(:'good', '00000000-0000-0000-0000-000000000001'::uuid);
SELECT fkdoctor_internal.fk_orphan_tally(:'good', 1, 2);
SELECT fkdoctor_internal.fk_orphan_tally(:'good');
SELECT fkdoctor_internal.fk_orphan_tally(sets, 1) FROM fkd_par_sets;
SELECT fkdoctor_internal.fk_orphan_tally(:'good', 1) OVER ();
SELECT fkdoctor_internal.fk_row_is_orphan('\x0102'::bytea, 1);
SELECT fkdoctor_internal.fk_row_is_orphan(NULL, 1);
SELECT fkdoctor_internal.fk_row_is_orphan(sets, 1) FROM fkd_par_sets;
SELECT fkdoctor_internal.fk_row_is_orphan(:'good', 1.5);
-- fk_orphan_locations: the limit, whether there were more orphans than it,
-- how many it kept, then each one's table and block (one word: the table's
-- oid above the block) and offset; the same wrong ways are refused, and a
-- limit that is missing, negative or changes from row to row.
SELECT fkdoctor_internal.fk_orphan_locations(:'good', 10, 16384::oid, t, k)
FROM (VALUES ('(0,1)'::tid, 1), ('(0,2)', 5), ('(1,3)', NULL), ('(4294967295,65535)', 7)) v(t, k);
SELECT fkdoctor_internal.fk_orphan_locations(:'good', 1, 16384::oid, t, k)
FROM (VALUES ('(0,1)'::tid, 5), ('(0,2)', 6)) v(t, k);
SELECT fkdoctor_internal.fk_orphan_locations(:'good', 10, 1::oid, '(0,1)', k)
FROM (VALUES (1)) v(k) WHERE false;
SELECT fkdoctor_internal.fk_orphan_locations(:'good', -1, 1::oid, '(0,1)', 1);
SELECT fkdoctor_internal.fk_orphan_locations(:'good', NULL, 1::oid, '(0,1)', 1);
SELECT fkdoctor_internal.fk_orphan_locations(:'good', n, 1::oid, '(0,1)', 1)
FROM (VALUES (1), (2)) v(n);
SELECT fkdoctor_internal.fk_orphan_locations(:'good', 5, NULL, '(0,1)', 1);
SELECT fkdoctor_internal.fk_orphan_locations(:'good', 5, 1::oid, NULL, 1);
SELECT fkdoctor_internal.fk_orphan_locations('\x00'::bytea, 5, 1::oid, '(0,1)', 1);
SELECT fkdoctor_internal.fk_orphan_locations(:'good', 5, 1::oid, '(0,1)', 'text'::text);
SELECT fkdoctor_internal.fk_orphan_locations(:'good', 5, 1::oid, '(0,1)');
SELECT fkdoctor_internal.fk_orphan_locations(sets, 5, 1::oid, '(0,1)', 1) FROM fkd_par_sets;
SELECT fkdoctor_internal.fk_orphan_locations(:'good', 5, 1::oid, '(0,1)', 1) OVER ();
-- fk_key_bitmap: least and range, then the bitmap's word; a key outside
-- the range, a range that is empty or too large, a key that is not an
-- integer are refused.
SELECT fkdoctor_internal.fk_key_bitmap(10, 3, k) FROM (VALUES (10), (12), (NULL)) v(k);
SELECT fkdoctor_internal.fk_key_bitmap(10, 3, k) FROM (VALUES (9)) v(k);
SELECT fkdoctor_internal.fk_key_bitmap(10, 3, k) FROM (VALUES (13::bigint)) v(k);
SELECT fkdoctor_internal.fk_key_bitmap(10, 0, 1);
SELECT fkdoctor_internal.fk_key_bitmap(10, -5, 1);
SELECT fkdoctor_internal.fk_key_bitmap(0, 9223372036854775807, 1);
SELECT fkdoctor_internal.fk_key_bitmap(10, 3, 'a'::text);
SELECT fkdoctor_internal.fk_key_bitmap(10, 3, 1, 2);
SELECT fkdoctor_internal.fk_key_bitmap(10, 3, 11) OVER ();


-- The schema is the extension's: nobody else may create there.
CREATE ROLE fkd_par_intruder;
GRANT CREATE ON SCHEMA public TO fkd_par_intruder;
SET ROLE fkd_par_intruder;
CREATE FUNCTION fkdoctor_internal.fk_row_is_orphan(bytea, integer) RETURNS boolean
LANGUAGE sql AS 'SELECT false';
RESET ROLE;
SELECT n.nspname, pg_get_userbyid(n.nspowner) = current_user AS owned_by_installer,
       e.extname
FROM pg_namespace n
JOIN pg_depend d ON d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid
WHERE n.nspname = 'fkdoctor_internal';

DROP TABLE fkd_par_sets;
REVOKE CREATE ON SCHEMA public FROM fkd_par_intruder;
DROP ROLE fkd_par_intruder;
