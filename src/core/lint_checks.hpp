// fk_lint(): foreign-key health from the catalog model alone. Plain C++.
//
// Severities:
//   error   PostgreSQL believes something false: the key is marked valid but
//           is not enforced, so stored rows may break it unnoticed.
//   warning integrity or cost that should be fixed: a key never validated,
//           rows that escape the check, every write checked twice, an
//           ON DELETE/UPDATE action that scans the child, mismatched types.
//   info    worth a look, often fine: a key without a child index (costly
//           only if parents are deleted or their keys updated), keys that
//           share leading columns.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog_model.hpp"

namespace fkd {

struct LintFinding {
    const char *check;
    const ForeignKey *key;
    const char *severity;  // "error", "warning" or "info"
    std::string detail;
    std::optional<std::string> fix;
};

// A name for a new index on table: "<table>_<column_part>_<label>", clipped
// to PostgreSQL's name length, that no relation of table's schema has yet
// (PostgreSQL's ChooseRelationName, as CREATE INDEX uses without a name).
using IndexNamer = std::function<std::string(const QualifiedName &table,
                                             const std::string &column_part,
                                             const std::string &label)>;

// Every finding for the keys, key by key in their order. Index names come
// from name_index, and never repeat within one call.
std::vector<LintFinding> lint_keys(const std::vector<const ForeignKey *> &keys,
                                   const IndexNamer &name_index);

}  // namespace fkd
