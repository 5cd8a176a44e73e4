#include "repair_generator.hpp"

#include "errors.hpp"
#include "sql_generator.hpp"
#include "sql_quoting.hpp"

#ifdef POSTGRES_H
static_assert(false, "the repair generator is plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

std::string join(const std::vector<std::string> &items, std::string_view separator)
{
    std::string joined;
    for (const auto &item : items)
        joined += (joined.empty() ? "" : std::string(separator)) + item;
    return joined;
}

std::string strategy_list()
{
    std::vector<std::string> names;
    for (Strategy strategy : kStrategies)
        names.push_back(strategy_name(strategy));
    return join(names, ", ");
}

// The key columns a set_null repair empties: all of them for MATCH FULL
// (a partly NULL key is a violation), the nullable ones for MATCH SIMPLE
// (one NULL column exempts the row).
std::vector<const KeyColumn *> columns_to_null(const ForeignKey &key)
{
    std::vector<const KeyColumn *> columns;
    for (const auto &column : key.columns)
        if (!column.child_not_null)
            columns.push_back(&column);
    return columns;
}

// A default fkdoctor can evaluate once to see what it would set: no
// function calls, so nothing volatile (nextval, random) runs.
bool default_is_plain(const std::string &expression)
{
    bool in_literal = false;
    for (char c : expression) {
        if (c == '\'')
            in_literal = !in_literal;
        else if (c == '(' && !in_literal)
            return false;
    }
    return true;
}

std::string child_column_list(const ForeignKey &key)
{
    std::vector<std::string> names;
    for (const auto &column : key.columns)
        names.push_back(quote_identifier(column.child_column));
    return join(names, ", ");
}

std::string child_scan(const ForeignKey &key)
{
    return relation_scan(key.child) + " " + std::string(kChildAlias);
}

std::string update_statement(const ForeignKey &key, const std::vector<const KeyColumn *> &columns,
                             const char *value)
{
    std::vector<std::string> assignments;
    for (const KeyColumn *column : columns)
        assignments.push_back(quote_identifier(column->child_column) + " = " + value);
    return "UPDATE " + child_scan(key) + " SET " + join(assignments, ", ") + " WHERE " +
           orphan_condition(key);
}

std::vector<const KeyColumn *> all_columns(const ForeignKey &key)
{
    std::vector<const KeyColumn *> columns;
    for (const auto &column : key.columns)
        columns.push_back(&column);
    return columns;
}

// The distinct complete keys of the orphans, cast to the parent's types.
std::string missing_parent_keys(const ForeignKey &key)
{
    std::vector<std::string> values;
    for (const auto &column : key.columns)
        values.push_back(column_reference(kChildAlias, column.child_column) +
                         "::" + column.parent_type_name);
    return "SELECT DISTINCT " + join(values, ", ") + " FROM " + child_scan(key) + " WHERE " +
           key_is_complete(key, kChildAlias) + " AND " + parent_is_missing(key);
}

}  // namespace

const char *strategy_name(Strategy strategy)
{
    switch (strategy) {
    case Strategy::Delete: return "delete";
    case Strategy::SetNull: return "set_null";
    case Strategy::SetDefault: return "set_default";
    case Strategy::InsertParent: return "insert_parent";
    }
    return "delete";
}

Strategy strategy_from_name(std::string_view name)
{
    for (Strategy strategy : kStrategies)
        if (name == strategy_name(strategy))
            return strategy;
    throw Error(kInvalidParameterValue, "unknown repair strategy \"" + std::string(name) + "\"",
                "", "Use one of " + strategy_list() + ", or NULL to follow each key's ON DELETE action.");
}

std::optional<Strategy> strategy_of_on_delete(Action on_delete)
{
    switch (on_delete) {
    case Action::Cascade: return Strategy::Delete;
    case Action::SetNull: return Strategy::SetNull;
    case Action::SetDefault: return Strategy::SetDefault;
    default: return std::nullopt;
    }
}

std::optional<std::string> catalog_obstacle(const ForeignKey &key, Strategy strategy)
{
    switch (strategy) {
    case Strategy::Delete:
        return std::nullopt;
    case Strategy::SetNull: {
        size_t nullable = columns_to_null(key).size();
        if (nullable == 0)
            return std::string("the key columns are NOT NULL");
        if (key.match == MatchType::Full && nullable < key.columns.size())
            return std::string("MATCH FULL needs every key column NULL, and some are NOT NULL");
        return std::nullopt;
    }
    case Strategy::SetDefault:
        for (const auto &column : key.columns) {
            if (!column.child_default && column.child_not_null)
                return "column " + quote_identifier(column.child_column) +
                       " is NOT NULL and has no default";
            if (column.child_default && !default_is_plain(*column.child_default))
                return "the default of column " + quote_identifier(column.child_column) +
                       " calls a function, which fkdoctor does not evaluate ahead of time";
        }
        return std::nullopt;
    case Strategy::InsertParent:
        if (!key.parent_accepts_bare_keys)
            return "the parent " + quote_qualified(key.parent.name) +
                   " has NOT NULL columns outside the key without defaults";
        for (const auto &column : key.columns)
            if (!column.parent_insertable)
                return "parent column " + quote_identifier(column.parent_column) +
                       " is generated and cannot be inserted";
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::string> data_obstacle_query(const ForeignKey &key, Strategy strategy)
{
    if (strategy == Strategy::SetDefault) {
        // The defaults, evaluated once, as a row "d" shaped like the child.
        std::vector<std::string> defaults;
        for (const auto &column : key.columns)
            defaults.push_back("(" + column.child_default.value_or("NULL") + ")::" +
                               column.child_type_name + " AS " +
                               quote_identifier(column.child_column));
        return "SELECT CASE WHEN " + key_is_checked(key, "d") + " AND NOT EXISTS (SELECT FROM " +
               relation_scan(key.parent) + " " + std::string(kParentAlias) + " WHERE " +
               key_equality(key, kParentAlias, "d") +
               ") THEN 'the column defaults do not reference an existing parent row' END"
               " FROM (SELECT " + join(defaults, ", ") + ") d";
    }
    if (strategy == Strategy::InsertParent && key.match == MatchType::Full)
        return "SELECT 'a partly NULL key (MATCH FULL), which no parent row can match, in ' ||"
               " pg_catalog.count(*) || ' orphan rows' FROM " + child_scan(key) + " WHERE " +
               orphan_condition(key) + " AND NOT " + key_is_complete(key, kChildAlias) +
               " HAVING pg_catalog.count(*) > 0";
    return std::nullopt;
}

std::string repair_statement(const ForeignKey &key, Strategy strategy)
{
    switch (strategy) {
    case Strategy::Delete:
        return "DELETE FROM " + child_scan(key) + " WHERE " + orphan_condition(key);
    case Strategy::SetNull:
        return update_statement(key, key.match == MatchType::Full ? all_columns(key)
                                                                  : columns_to_null(key),
                                "NULL");
    case Strategy::SetDefault:
        return update_statement(key, all_columns(key), "DEFAULT");
    case Strategy::InsertParent: {
        std::vector<std::string> parent_columns;
        for (const auto &column : key.columns)
            parent_columns.push_back(quote_identifier(column.parent_column));
        return "INSERT INTO " + quote_qualified(key.parent.name) + " (" +
               join(parent_columns, ", ") + ") " + missing_parent_keys(key) +
               " ON CONFLICT DO NOTHING";
    }
    }
    return "";
}

std::string affected_rows_query(const ForeignKey &key, Strategy strategy)
{
    if (strategy == Strategy::InsertParent)
        return "SELECT pg_catalog.count(*) FROM (" + missing_parent_keys(key) + ") missing";
    return "SELECT pg_catalog.count(*) FROM " + child_scan(key) + " WHERE " + orphan_condition(key);
}

std::string repair_note(const ForeignKey &key, Strategy strategy, bool child_is_referenced)
{
    std::string columns = "(" + child_column_list(key) + ")";
    switch (strategy) {
    case Strategy::Delete:
        return "deletes the orphan rows of " + quote_qualified(key.child.name) +
               (child_is_referenced
                    ? "; rows of other tables that reference them follow their own keys' "
                      "ON DELETE actions, and a NO ACTION key makes this statement fail"
                    : "");
    case Strategy::SetNull:
        return "sets the key columns " + columns + " of the orphan rows to NULL: a key with " +
               (key.match == MatchType::Full ? "every column" : "a") +
               " NULL is not checked, and the rest of each row is kept";
    case Strategy::SetDefault:
        return "sets the key columns " + columns +
               " of the orphan rows to their defaults, which reference an existing parent row";
    case Strategy::InsertParent:
        return "inserts the missing keys into " + quote_qualified(key.parent.name) +
               "; its other columns take their defaults";
    }
    return "";
}

std::vector<FollowUp> follow_ups(const ForeignKey &key)
{
    std::vector<FollowUp> statements;
    for (const TriggerRef &trigger : key.unenforced_triggers)
        statements.push_back(
            {"enable_trigger",
             "ALTER TABLE " + quote_qualified(trigger.table) + " ENABLE TRIGGER " +
                 quote_identifier(trigger.name),
             "the key's RI trigger on " + quote_qualified(trigger.table) +
                 " does not fire in an ordinary session: enable it so PostgreSQL enforces the "
                 "key again"});
    if (!key.validated)
        statements.push_back(
            {"validate",
             "ALTER TABLE " + quote_qualified(key.child.name) + " VALIDATE CONSTRAINT " +
                 quote_identifier(key.name),
             "the key was added NOT VALID: once its orphans are repaired, VALIDATE CONSTRAINT "
             "checks the table and marks the key valid"});
    return statements;
}

int repair_phase(std::optional<Strategy> strategy)
{
    if (!strategy)
        return 4;  // a person must choose
    switch (*strategy) {
    case Strategy::InsertParent: return 1;
    case Strategy::SetNull:
    case Strategy::SetDefault: return 2;
    case Strategy::Delete: return 3;
    }
    return 4;
}

}  // namespace fkd
