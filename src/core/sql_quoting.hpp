// Quoting of identifiers and literals for the SQL fkdoctor generates.
// Plain C++; follows PostgreSQL's quote_identifier() and quote_literal().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/catalog_model.hpp"

namespace fkd {

// "Order Lines" -> "\"Order Lines\"", orders -> orders, select -> "select".
std::string quote_identifier(std::string_view name);

// schema.name, each part quoted as needed.
std::string quote_qualified(const QualifiedName &name);

// O'Brien -> 'O''Brien'; a backslash makes it E'...' with the backslash doubled,
// so the result is right whatever standard_conforming_strings says.
std::string quote_literal(std::string_view text);

// The items with separator between them: join_list({"a", "b"}, ", ") is "a, b".
std::string join_list(const std::vector<std::string> &items, std::string_view separator);

}  // namespace fkd
