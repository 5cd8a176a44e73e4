-- fkdoctor 0.2 -> 0.3. A new installation of 0.3 runs 0.1, 0.1--0.2 and then
-- this script.
\echo Use "ALTER EXTENSION fkdoctor UPDATE TO '0.3'" to load this file. \quit

-- fk_assert_clean gains a threshold, so that a pipeline can fail only when
-- things get worse. An assertion has an effect (its error): VOLATILE, since
-- a STABLE function's call may be skipped, as in
-- SELECT count(*) FROM (SELECT fk_assert_clean()) s.
DROP FUNCTION fk_assert_clean(regclass);

CREATE FUNCTION fk_assert_clean(rel regclass DEFAULT NULL, max_orphans bigint DEFAULT 0)
RETURNS void
AS 'MODULE_PATHNAME', 'fk_assert_clean'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_assert_clean(regclass, bigint) IS
'raises error 23503, as PostgreSQL would, when the foreign keys of rel have more than max_orphans orphan rows in all';

-- fk_repairs says what each row is (step: repair, enable_trigger, validate)
-- apart from the strategy, which only a repair has.
DROP FUNCTION fk_repairs(regclass, text);
CREATE FUNCTION fk_repairs(
    rel regclass DEFAULT NULL,
    strategy text DEFAULT NULL,
    OUT constraint_name name,
    OUT child_table regclass,
    OUT step text,
    OUT strategy text,
    OUT statement text,
    OUT rows_affected bigint,
    OUT note text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'fk_repairs'
LANGUAGE C STABLE PARALLEL UNSAFE;

COMMENT ON FUNCTION fk_repairs(regclass, text) IS
'the statements that repair the orphans of rel''s foreign keys, and make PostgreSQL enforce them again, in the order they must run';
