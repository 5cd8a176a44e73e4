-- fkdoctor 0.2 -> 0.3. A new installation of 0.3 runs 0.1, 0.1--0.2 and then
-- this script.
\echo Use "ALTER EXTENSION fkdoctor UPDATE TO '0.3'" to load this file. \quit

-- An assertion has an effect (its error): a STABLE function's call may be
-- skipped, as in SELECT count(*) FROM (SELECT fk_assert_clean()) s.
ALTER FUNCTION fk_assert_clean(regclass) VOLATILE;
