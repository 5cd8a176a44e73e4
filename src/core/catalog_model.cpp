#include "core/catalog_model.hpp"

#include "core/errors.hpp"
#include "core/sql_quoting.hpp"

#ifdef POSTGRES_H
static_assert(false, "the catalog model is plain C++: no PostgreSQL headers");
#endif

namespace fkd {

MatchType match_type_from_code(char code)
{
    switch (code) {
    case 's': return MatchType::Simple;
    case 'f': return MatchType::Full;
    }
    // MATCH PARTIAL is not implemented by PostgreSQL: no key can have it.
    throw Error(kInternalError, std::string("unrecognized foreign-key match type code: ") + code);
}

Action action_from_code(char code)
{
    switch (code) {
    case 'a': return Action::NoAction;
    case 'r': return Action::Restrict;
    case 'c': return Action::Cascade;
    case 'n': return Action::SetNull;
    case 'd': return Action::SetDefault;
    }
    throw Error(kInternalError, std::string("unrecognized foreign-key action code: ") + code);
}

const char *match_type_sql(MatchType match)
{
    switch (match) {
    case MatchType::Simple: return "SIMPLE";
    case MatchType::Full: return "FULL";
    }
    return "SIMPLE";
}

const char *action_sql(Action action)
{
    switch (action) {
    case Action::NoAction: return "NO ACTION";
    case Action::Restrict: return "RESTRICT";
    case Action::Cascade: return "CASCADE";
    case Action::SetNull: return "SET NULL";
    case Action::SetDefault: return "SET DEFAULT";
    }
    return "NO ACTION";
}

namespace {
struct EnforcementName {
    Enforcement value;
    const char *text;
};
constexpr EnforcementName kEnforcementNames[] = {
    {Enforcement::Enabled, "enabled"},
    {Enforcement::Disabled, "disabled"},
    {Enforcement::ReplicaOnly, "replica only"},
    {Enforcement::MissingTriggers, "missing triggers"},
    {Enforcement::NotEnforced, "not enforced"},
};
}  // namespace

const char *enforcement_text(Enforcement enforcement)
{
    for (const auto &entry : kEnforcementNames)
        if (entry.value == enforcement)
            return entry.text;
    return "enabled";
}

Enforcement enforcement_from_text(std::string_view text)
{
    for (const auto &entry : kEnforcementNames)
        if (text == entry.text)
            return entry.value;
    throw Error(kInternalError, "unrecognized enforcement state: " + std::string(text));
}

std::vector<std::string> child_columns(const ForeignKey &key)
{
    std::vector<std::string> columns;
    for (const auto &column : key.columns)
        columns.push_back(column.child_column);
    return columns;
}

const KeyColumn &period_column(const ForeignKey &key)
{
    if (!key.temporal || key.columns.empty())
        throw Error(kInternalError, "foreign key \"" + key.name + "\" has no PERIOD column");
    return key.columns.back();
}

bool is_period(const ForeignKey &key, const KeyColumn &column)
{
    return key.temporal && &column == &key.columns.back();
}

std::optional<std::string> reason_not_checkable(const ForeignKey &key)
{
    if (!key.child_schema_usable)
        return "permission denied for schema " + quote_identifier(key.child.name.schema);
    if (!key.parent_schema_usable)
        return "permission denied for schema " + quote_identifier(key.parent.name.schema);
    if (!key.child_readable)
        return "permission denied for table " + quote_qualified(key.child.name);
    if (!key.parent_readable)
        return "permission denied for table " + quote_qualified(key.parent.name);
    if (key.child_row_security)
        return "row-level security is active on table " + quote_qualified(key.child.name) +
               " for the current role";
    if (key.parent_row_security)
        return "row-level security is active on table " + quote_qualified(key.parent.name) +
               " for the current role";
    if (!key.checker_reads_parent)
        return "the owner of table " + quote_qualified(key.child.name) +
               ", who runs the check, may not read table " + quote_qualified(key.parent.name);
    if (key.checker_under_parent_policy)
        return "row-level security on table " + quote_qualified(key.parent.name) +
               " applies to the owner of table " + quote_qualified(key.child.name) +
               ", who runs the check";
    return std::nullopt;
}

}  // namespace fkd
