// What fk_audit() runs and says, from the catalog model. Plain C++.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/catalog_model.hpp"

namespace fkd {

// One row for the key: orphan_rows (NULL when there is none, read as 0),
// missing_keys (distinct missing parent keys: the orphans grouped by their
// values as the key's operators compare them, cast to their input types,
// under the referenced columns' collations; grouping uses the input type's
// default equality, the key's own unless the parent's unique index has
// another operator class, see scans_once_exactly()). It is PostgreSQL's own
// anti-join, so it runs as a (parallel) hash or merge anti-join and only
// orphans leave the join: measured faster than one outer-join scan feeding
// every key's counts (see the README).
std::string key_audit_query(const ForeignKey &key);

// SELECT count(*) of the child's rows, as the key's checks read them.
std::string child_row_count_query(const ForeignKey &key);

// A table's rows and pages, as its statistics estimate them (its leaf
// partitions' for a partitioned table): two bigints, the rows NULL where a
// table has no estimate.
std::string row_estimate_query(const Relation &table);

// One row, true when the key's child (all its partitions) is bigger than
// effective_cache_size: reading it again for each of its keys would then
// come from disk, and one scan for all of them is the cheaper plan.
std::string child_outgrows_cache_query(const ForeignKey &key);

// One scan of a child for all of its keys (all on that table): the child
// outer-joined to each key's parent keys, de-duplicated (so that a child row
// meets at most one parent row per key), and one row: the child's rows, then
// each key's orphan rows, in order. Every child row leaves the joins, so
// with the child cached this is slower than one anti-join per key; it
// reads the child once instead of once per key (see the README). Not for
// temporal keys, whose orphans no outer join tells (an error).
std::string table_audit_query(const std::vector<const ForeignKey *> &keys);

// True when table_audit_query() counts the key's child rows exactly: its
// parent's keys de-duplicated by DISTINCT are distinct by the key's own
// equality (the parent type's default equality is the key's).
bool scans_once_exactly(const ForeignKey &key);

// How the orphans of a key could have got in, from what the catalogs show.
std::string orphan_diagnosis(const ForeignKey &key);

// What is worth changing about a key even without orphans, or nothing.
std::optional<std::string> key_advice(const ForeignKey &key);

}  // namespace fkd
