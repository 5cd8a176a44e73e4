// The SQL fkdoctor runs and proposes, generated from the catalog model.
// Plain C++. The orphan test is PostgreSQL's own (RI_Initial_Check in
// ri_triggers.c): an outer join through the key's own operators and
// collations, ONLY on a table that is not partitioned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog_model.hpp"
#include "core/row_address.hpp"

namespace fkd {

// The statement as table's owner runs it, for statements that run code the
// owner controls (triggers, defaults, checks, operators): "SET ROLE owner;
// <statement>; SET ROLE caller" (or RESET ROLE) when the catalogs say the
// caller is not the owner and may become it (Relation::statement_role);
// the statement alone otherwise. One query string, so one implicit
// transaction: if the statement fails, the SET ROLE is undone with it.
std::string as_table_owner(const Relation &table, const std::string &statement);

// Table aliases used in every generated orphan test.
inline constexpr std::string_view kChildAlias = "fk";
inline constexpr std::string_view kParentAlias = "pk";

// "ONLY s.t", or "s.t" for a partitioned table, whose partitions hold the rows.
std::string relation_scan(const Relation &relation);

// The child as a check reads it, aliased fk: relation_scan(key.child), or,
// for a key with child_blocks, only those blocks of the one heap, "(SELECT
// *, tableoid, ctid FROM ONLY s.leaf WHERE ctid >= '(b,0)' AND ctid <
// '(e,0)') fk", which the planner reads by a TID Range Scan. Every query of
// a check that reads the child reads it through this.
std::string child_source(const ForeignKey &key);

// alias.column, quoted.
std::string column_reference(std::string_view alias, std::string_view column);

// The key's child columns as alias.column, in key order.
std::vector<std::string> child_column_references(const ForeignKey &key, std::string_view alias);

// The key's child columns, quoted, joined by ", ".
std::string child_column_list(const ForeignKey &key);

// The child's column as the key's operator compares it: "fk.a[::type]
// [COLLATE c]", cast to the operator's input type and, where the two
// columns' collations differ, under the referenced column's collation.
// Two child values are the same parent key when these are equal.
std::string compared_child_value(const KeyColumn &column, std::string_view child_alias);

// The join condition: "pk.x OPERATOR(s.=) <compared_child_value> AND ...",
// with a cast wherever a column's type is not the operator's input type.
std::string key_equality(const ForeignKey &key, std::string_view parent_alias,
                         std::string_view child_alias);

// Whether a column's value is NULL, as the RI trigger tests it: the datum.
// "x IS [NOT] NULL", but for a composite column (whose IS NULL tests every
// field) "pg_catalog.num_nulls(x) OPERATOR(pg_catalog.=) 0" (or 1).
std::string value_is_not_null(const std::string &reference, bool composite);
std::string value_is_null(const std::string &reference, bool composite);

// Which child rows the key applies to, as PostgreSQL's insert/update trigger
// decides (ri_NullCheck, a NULL datum): all key columns non-NULL (MATCH
// SIMPLE), or any of them non-NULL (MATCH FULL, where a partly NULL key is a
// violation). For a composite column, ROW(NULL, 9) is not NULL: the trigger
// checks it, where VALIDATE CONSTRAINT (RI_Initial_Check's IS NOT NULL) skips it.
std::string key_is_checked(const ForeignKey &key, std::string_view child_alias);

// All key columns non-NULL (as key_is_checked tests them): the keys a parent
// row could match.
std::string key_is_complete(const ForeignKey &key, std::string_view child_alias);

// The child row aliased child_alias has no parent: "NOT EXISTS (SELECT FROM
// parent pk WHERE <equality>)". For a temporal key, the insert trigger's
// test (RI_FKey_check in ri_triggers.c): no parent rows with equal scalar
// columns whose periods overlap the child's and together cover it,
// "NOT EXISTS (SELECT FROM (SELECT pk.q AS r FROM parent pk WHERE
// <equality, && for the period>) x1 HAVING fk.p <@ range_agg(x1.r))".
std::string parent_is_missing(const ForeignKey &key, std::string_view child_alias = kChildAlias);

// A temporal key: the part of the child row's period that no parent row with
// equal scalar columns covers, as a multirange ("{}" for an empty period,
// the whole period as a multirange when no parent overlaps it).
std::string uncovered_period(const ForeignKey &key, std::string_view child_alias);

// fk_orphans' missing_key for the child row fk: each key column to its
// value; for a temporal key's PERIOD column, the part no parent covers
// (uncovered_period).
std::string missing_key_object(const ForeignKey &key);

// "<checked> AND NOT EXISTS (SELECT FROM parent pk WHERE <equality>)": the
// orphan test as a condition on the child row aliased fk, for statements
// that must re-check orphan-ness when they run.
std::string orphan_condition(const ForeignKey &key);

// After "child fk LEFT JOIN parent <parent_alias> ON (<key_equality>)":
// "<parent_alias>.x IS NULL AND <checked>", true for the child's orphan rows.
// Not for a temporal key (an error): overlap is not coverage, so no outer
// join tells its orphans.
std::string outer_join_orphan_test(const ForeignKey &key, std::string_view parent_alias);

// "FROM child fk LEFT JOIN parent pk ON (...) WHERE <no parent> AND <checked>":
// the rows of the child that break the key. For a temporal key, "FROM child
// fk WHERE <checked> AND <parent_is_missing>": the trigger's coverage test
// for each row, through the parent's GiST index (&& joins no other way).
std::string orphan_from_where(const ForeignKey &key);

// One row, in one scan: the number of the key's orphans, then one orphan's
// key columns as their output functions write them (NULL stays NULL), the
// least by byte order, so the answer does not depend on the plan.
std::string orphan_count_and_sample_query(const ForeignKey &key);

// SELECT count(*) of the key's orphans.
std::string orphan_count_query(const ForeignKey &key);

// pg_catalog.jsonb_build_object('col', alias.col, ...)
std::string jsonb_object_of_columns(const std::vector<std::string> &columns,
                                    std::string_view alias);

// The columns of fk_orphans(): constraint_name, child_table, parent_table,
// child_ctid, child_key, missing_key (Basic, 0.1 and 0.2), then child_shard
// and child_node (Located, 0.3), which only a Citus table fills in.
enum class OrphanColumns { Basic, Located };

// The query behind fk_orphans() for one key, in its columns.
std::string orphan_rows_query(const ForeignKey &key, std::optional<std::int64_t> limit,
                              OrphanColumns columns = OrphanColumns::Basic);

// The same for a key of Citus tables (ForeignKey::is_distributed()). The
// orphan test is pushed down to the shards whole, in a materialized CTE;
// the rest is evaluated on the node that runs it: the tables' OIDs there,
// the shard each orphan was read from (named by the worker that read it),
// that shard's Citus table (the child, or for a partitioned child the
// partition that holds the row, as for a plain partitioned table) and the
// node of the shard's one placement. A row's ctid is its shard's, so it is
// given only where the shard has one placement (a reference table's rows
// have a copy, and a ctid, on each node).
std::string distributed_orphan_rows_query(const ForeignKey &key,
                                          std::optional<std::int64_t> limit,
                                          OrphanColumns columns);

// As orphan_count_and_sample_query, for a key of Citus tables, which cannot
// take min(anyarray) across shards: the least sample by the byte order of
// its array's text, read back into the key's values.
std::string distributed_orphan_count_and_sample_query(const ForeignKey &key);

// For checking keys in memory (key_check_in_memory.hpp): the parent's key columns,
// from rows where none is NULL, at most limit rows.
std::string parent_keys_query(const ForeignKey &key, std::int64_t limit);

// For a key of one integer column: the least and greatest of the parent's
// keys (two bigints, NULL for no keys; the unique index answers it), and
// then their bitmap over [least, least + range), made by the leader and
// parallel workers together (fkdoctor_internal.fk_key_bitmap): one bytea.
std::string parent_key_range_query(const ForeignKey &key);
std::string parent_key_bitmap_query(const ForeignKey &key, const std::string &internal_schema,
                                    std::int64_t least, std::uint64_t range);

// Every child row's key columns, for the keys given (all on one table), in
// key order: one plain scan of the child. With the location included, each row
// starts with the table it is in (a leaf partition when the child is
// partitioned) and its ctid.
enum class RowLocation { Omitted, Included };
std::string child_keys_query(const std::vector<const ForeignKey *> &keys, RowLocation location);

// The same scan for a check in parallel (server/parallel_key_check.hpp),
// through fkdoctor's functions in internal_schema, the parents' keys as the
// query's parameter $1 (bytea): the tally of the keys over every child row,
// one row of bigint[] (NULL for an empty child);
std::string orphan_tally_query(const std::vector<const ForeignKey *> &keys,
                               const std::string &internal_schema);
// the table and ctid of each of the key's orphan rows, a row each;
std::string orphan_filter_query(const ForeignKey &key, const std::string &internal_schema);
// and the same as one row of bytes (fk_orphan_locations: at most `most` of
// them, and whether there were more; NULL for an empty child).
std::string orphan_locations_query(const ForeignKey &key, const std::string &internal_schema,
                                   std::int64_t most);

// The rows of fk_orphans() for the key at the given ctids of table (the
// child, or one of its leaf partitions), already known to be orphans.
std::string orphan_rows_at_query(const ForeignKey &key, const Relation &table,
                                 const std::vector<RowAddress> &rows,
                                 OrphanColumns columns = OrphanColumns::Basic);

}  // namespace fkd
