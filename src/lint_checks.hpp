// fk_lint(): foreign-key health from the catalog model alone. Plain C++.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog_model.hpp"

namespace fkd {

struct LintFinding {
    const char *check;
    const ForeignKey *key;
    const char *severity;  // "error", "warning" or "info"
    std::string detail;
    std::optional<std::string> fix;
};

// Every finding for the keys, key by key in their order.
std::vector<LintFinding> lint_keys(const std::vector<const ForeignKey *> &keys);

}  // namespace fkd
