-- fkdoctor 0.4: checks of keys in memory run in parallel.

-- The functions a check's parallel scan runs in every process, in a schema
-- of their own: nobody but the extension's owner may create there, so no
-- one can slip in an overload that a check would call instead (checks run
-- them as the child table's owner). Not for use by hand.
CREATE SCHEMA fkdoctor_internal;
COMMENT ON SCHEMA fkdoctor_internal IS 'fkdoctor''s internal functions, called by its checks';
GRANT USAGE ON SCHEMA fkdoctor_internal TO PUBLIC;

CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_step(internal, bytea, VARIADIC "any")
RETURNS internal AS 'MODULE_PATHNAME', 'fk_orphan_tally_step'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_orphan_tally_combine'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'fk_orphan_tally_serialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_orphan_tally_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_orphan_tally_result(internal)
RETURNS bigint[] AS 'MODULE_PATHNAME', 'fk_orphan_tally_result'
LANGUAGE C PARALLEL SAFE;

-- fk_orphan_tally(key_sets, key columns...): rows, then each key's orphan
-- rows and distinct missing keys, of the rows it is given.
CREATE AGGREGATE fkdoctor_internal.fk_orphan_tally(bytea, VARIADIC "any") (
    SFUNC = fkdoctor_internal.fk_orphan_tally_step,
    STYPE = internal,
    FINALFUNC = fkdoctor_internal.fk_orphan_tally_result,
    COMBINEFUNC = fkdoctor_internal.fk_orphan_tally_combine,
    SERIALFUNC = fkdoctor_internal.fk_orphan_tally_serialize,
    DESERIALFUNC = fkdoctor_internal.fk_orphan_tally_deserialize,
    PARALLEL = SAFE);

-- fk_row_is_orphan(key_sets, key columns...): whether the row's key is set
-- and missing from the one key set.
CREATE FUNCTION fkdoctor_internal.fk_row_is_orphan(bytea, VARIADIC "any")
RETURNS boolean AS 'MODULE_PATHNAME', 'fk_row_is_orphan'
LANGUAGE C STABLE PARALLEL SAFE;

-- fk_key_bitmap(least, range, key): the bitmap of the keys it is given,
-- each in [least, least + range), as bytes (least, range, then the words):
-- how a parent's dense integer keys are read in parallel.
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_step(internal, bigint, bigint, VARIADIC "any")
RETURNS internal AS 'MODULE_PATHNAME', 'fk_key_bitmap_step'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_key_bitmap_combine'
LANGUAGE C PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'fk_key_bitmap_serialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'fk_key_bitmap_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;
CREATE FUNCTION fkdoctor_internal.fk_key_bitmap_result(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'fk_key_bitmap_result'
LANGUAGE C PARALLEL SAFE;
CREATE AGGREGATE fkdoctor_internal.fk_key_bitmap(bigint, bigint, VARIADIC "any") (
    SFUNC = fkdoctor_internal.fk_key_bitmap_step,
    STYPE = internal,
    FINALFUNC = fkdoctor_internal.fk_key_bitmap_result,
    COMBINEFUNC = fkdoctor_internal.fk_key_bitmap_combine,
    SERIALFUNC = fkdoctor_internal.fk_key_bitmap_serialize,
    DESERIALFUNC = fkdoctor_internal.fk_key_bitmap_deserialize,
    PARALLEL = SAFE);
