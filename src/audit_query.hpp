// What fk_audit() runs and says, from the catalog model. Plain C++.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog_model.hpp"

namespace fkd {

// One row for the key: orphan_rows, missing_keys (distinct missing parent
// keys). It is PostgreSQL's own anti-join, so it runs as a (parallel) hash
// or merge anti-join and only orphans leave the join: measured faster than
// one outer-join scan feeding every key's counts (see the README).
std::string key_audit_query(const ForeignKey &key);

// SELECT count(*) of the child's rows, as the key's checks read them.
std::string child_row_count_query(const ForeignKey &key);

// How the orphans of a key could have got in, from what the catalogs show.
std::string orphan_diagnosis(const ForeignKey &key);

// What is worth changing about a key even without orphans, or nothing.
std::optional<std::string> key_advice(const ForeignKey &key);

}  // namespace fkd
