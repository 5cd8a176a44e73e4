#include "core/sql_quoting.hpp"

#include <algorithm>
#include <iterator>

#ifdef POSTGRES_H
static_assert(false, "SQL quoting is plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

enum KeywordCategory {
    UNRESERVED_KEYWORD,
    COL_NAME_KEYWORD,
    TYPE_FUNC_NAME_KEYWORD,
    RESERVED_KEYWORD
};

struct Keyword {
    const char *name;
    KeywordCategory category;
};

// PostgreSQL's own keyword list, sorted by name.
#define PG_KEYWORD(name, value, category, label) {name, category},
constexpr Keyword kKeywords[] = {
#include "parser/kwlist.h"
};
#undef PG_KEYWORD

bool is_keyword_needing_quotes(std::string_view word)
{
    auto found = std::lower_bound(std::begin(kKeywords), std::end(kKeywords), word,
                                  [](const Keyword &k, std::string_view w) { return std::string_view(k.name) < w; });
    return found != std::end(kKeywords) && std::string_view(found->name) == word &&
           found->category != UNRESERVED_KEYWORD;
}

bool is_plain_identifier(std::string_view name)
{
    if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

}  // namespace

std::string quote_identifier(std::string_view name)
{
    if (is_plain_identifier(name) && !is_keyword_needing_quotes(name))
        return std::string(name);
    std::string quoted = "\"";
    for (char c : name) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

std::string quote_qualified(const QualifiedName &name)
{
    return quote_identifier(name.schema) + "." + quote_identifier(name.name);
}

std::string quote_literal(std::string_view text)
{
    bool has_backslash = text.find('\\') != std::string_view::npos;
    std::string quoted = has_backslash ? "E'" : "'";
    for (char c : text) {
        if (c == '\'' || c == '\\')
            quoted += c;
        quoted += c;
    }
    return quoted + '\'';
}

std::string join_list(const std::vector<std::string> &items, std::string_view separator)
{
    std::string joined;
    for (const auto &item : items) {
        if (!joined.empty())
            joined += separator;
        joined += item;
    }
    return joined;
}

}  // namespace fkd
