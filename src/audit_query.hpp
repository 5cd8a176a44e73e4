// What fk_audit() runs and says, from the catalog model. Plain C++.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog_model.hpp"

namespace fkd {

// One scan of a child table for all of the given keys (all on that table):
// the child is outer-joined to each parent, the rows are grouped by which
// keys they break and with what key values, and the result is one row:
// rows_checked, then for each key, in order, orphan_rows and missing_keys.
// Grouping instead of count(DISTINCT) keeps the scan free to run in parallel.
std::string table_audit_query(const std::vector<const ForeignKey *> &keys);

// How the orphans of a key could have got in, from what the catalogs show.
std::string orphan_diagnosis(const ForeignKey &key);

// What is worth changing about a key even without orphans, or nothing.
std::optional<std::string> key_advice(const ForeignKey &key);

}  // namespace fkd
