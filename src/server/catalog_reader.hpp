// Reads the foreign keys from the system catalogs into the catalog model.
// Runs inside an SpiSession.
#pragma once

#include <optional>

#include <vector>

#include "core/catalog_model.hpp"

namespace fkd {

using KeyList = std::vector<ForeignKey>;

// What the caller does with the keys: read only the catalogs, or the
// tables' rows too, which first locks both tables of every key.
enum class KeyUse { ReadCatalogs, ReadTables };

// The foreign keys of child_table (as the referencing table), or of every
// table the caller may read when it is not given. Keys on a partitioned
// table come once, at the partitioned table; the clones PostgreSQL keeps for
// partitions are left out, except a partition's own inherited key when
// child_table is that partition.
void load_foreign_keys(std::optional<Oid> child_table, KeyUse use, KeyList &keys);

// A key that is not declared: constraint_row is a SELECT of one made-up
// pg_constraint row (oid, conname, conrelid, confrelid, conkey, confkey,
// conpfeqop, conppeqop, confmatchtype, confupdtype, confdeltype,
// confdelsetcols, convalidated, condeferrable, condeferred, conperiod,
// conenforced), read as a declared key is.
// Both tables must be locked already.
void load_key_like_constraint(const std::string &constraint_row, KeyList &keys);

}  // namespace fkd
