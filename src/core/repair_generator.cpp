#include "core/repair_generator.hpp"

#include "core/errors.hpp"
#include "core/sql_generator.hpp"
#include "core/sql_quoting.hpp"

#ifdef POSTGRES_H
static_assert(false, "the repair generator is plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

// Aliases of the generated SQL besides fk and pk: the child row as a repair
// would leave it, and the parent row insert_parent would add.
constexpr std::string_view kRepairedAlias = "repaired";
constexpr std::string_view kNewParentAlias = "np";

using Columns = std::vector<const KeyColumn *>;

std::string strategy_list()
{
    std::vector<std::string> names;
    for (Strategy strategy : kStrategies)
        names.push_back(strategy_name(strategy));
    return join_list(names, ", ");
}

template <typename Keep>
Columns columns_where(const ForeignKey &key, Keep keep)
{
    Columns columns;
    for (const auto &column : key.columns)
        if (keep(column))
            columns.push_back(&column);
    return columns;
}

bool can_be_null(const KeyColumn &column)
{
    return !column.child_not_null && !column.child_generated;
}

// The columns ON DELETE SET NULL / SET DEFAULT would set: all of them,
// unless the key names some.
Columns columns_set_on_delete(const ForeignKey &key)
{
    return columns_where(key, [](const KeyColumn &column) { return column.set_by_on_delete; });
}

// The columns a set_null repair empties. MATCH FULL: all of them (a partly
// NULL key is a violation). MATCH SIMPLE: one NULL column exempts the row,
// so those of the columns ON DELETE SET NULL would set that may be NULL.
// A temporal key's PERIOD column is kept under MATCH SIMPLE, where a NULL
// scalar column is enough: its period says when the row holds, not which
// parent it needs (and PostgreSQL 18 has no ON DELETE SET NULL for a key
// with PERIOD to follow).
Columns columns_to_null(const ForeignKey &key)
{
    if (key.match == MatchType::Full)
        return columns_where(key, [](const KeyColumn &) { return true; });
    return columns_where(key, [&key](const KeyColumn &column) {
        return column.set_by_on_delete && can_be_null(column) && !is_period(key, column);
    });
}

std::string column_names(const Columns &columns)
{
    std::vector<std::string> names;
    for (const KeyColumn *column : columns)
        names.push_back(quote_identifier(column->child_column));
    return join_list(names, ", ");
}

std::string child_scan(const ForeignKey &key)
{
    return relation_scan(key.child) + " " + std::string(kChildAlias);
}

// The child's orphan rows, as the condition of the UPDATE or DELETE that
// repairs them. Citus cannot join a Citus local table with other Citus
// tables in a modification ("local table ... cannot be joined with these
// distributed tables"), but it runs an uncorrelated subquery first: the
// rows are then named by their ctids, the ones of the table's only shard,
// on the coordinator, where the statement changes them.
std::string orphan_rows_to_change(const ForeignKey &key)
{
    if (key.child.citus != CitusTable::Local)
        return orphan_condition(key);
    std::string ctid = std::string(kChildAlias) + ".ctid";
    return ctid + " OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT " + ctid + " FROM " +
           child_scan(key) + " WHERE " + orphan_condition(key) + "))";
}

std::string update_statement(const ForeignKey &key, const Columns &columns, const char *value)
{
    std::vector<std::string> assignments;
    for (const KeyColumn *column : columns)
        assignments.push_back(quote_identifier(column->child_column) + " = " + value);
    return "UPDATE " + child_scan(key) + " SET " + join_list(assignments, ", ") + " WHERE " +
           orphan_rows_to_change(key);
}

// "CROSS JOIN LATERAL (SELECT <value of each key column> AS <name>, ...) alias":
// a row shaped like one side of the key, computed from the child row fk.
template <typename Value, typename Name>
std::string lateral_row(const ForeignKey &key, std::string_view alias, Value value, Name name)
{
    std::vector<std::string> columns;
    for (const auto &column : key.columns)
        columns.push_back(value(column) + " AS " + quote_identifier(name(column)));
    return " CROSS JOIN LATERAL (SELECT " + join_list(columns, ", ") + ") " + std::string(alias);
}

// The parent key each orphan needs, in the parent's own types (and typmods:
// a value the column would round or cut is not that key) and, where the two
// columns' collations differ, the parent's collation, which decides.
std::string new_parent_row(const ForeignKey &key)
{
    return lateral_row(
        key, kNewParentAlias,
        [](const KeyColumn &column) {
            std::string value =
                column_reference(kChildAlias, column.child_column) + "::" + column.parent_type_name;
            if (column.comparison_collation)
                value += " COLLATE " + quote_qualified(*column.comparison_collation);
            return value;
        },
        [](const KeyColumn &column) { return column.parent_column; });
}

// "FROM child fk CROSS JOIN LATERAL (...) np WHERE <complete orphan key>":
// the orphans insert_parent is about, each with the parent key it needs.
std::string orphans_with_new_parent(const ForeignKey &key)
{
    return "FROM " + child_scan(key) + new_parent_row(key) + " WHERE " +
           key_is_complete(key, kChildAlias) + " AND " + parent_is_missing(key);
}

// The new parent row matches its orphan, by the key's own operators.
std::string new_parent_matches(const ForeignKey &key)
{
    return "(" + key_equality(key, kNewParentAlias, kChildAlias) + ")";
}

// The distinct parent keys insert_parent adds: only those equal to their
// orphans' keys, so no parent is made up from a rounded or cut value.
std::string missing_parent_keys(const ForeignKey &key)
{
    std::vector<std::string> values;
    for (const auto &column : key.columns)
        values.push_back(column_reference(kNewParentAlias, column.parent_column));
    return "SELECT DISTINCT " + join_list(values, ", ") + " " + orphans_with_new_parent(key) +
           " AND " + new_parent_matches(key);
}

// The child row as set_default would leave an orphan: the defaults in the
// columns it sets, the row's own values in the others.
std::string defaulted_row(const ForeignKey &key)
{
    return lateral_row(
        key, kRepairedAlias,
        [](const KeyColumn &column) {
            if (!column.set_by_on_delete)
                return column_reference(kChildAlias, column.child_column);
            return "(" + column.child_default.value_or("NULL") + ")::" + column.child_type_name;
        },
        [](const KeyColumn &column) { return column.child_column; });
}

// "SELECT '<reason>; orphan rows: ' || count(*) ... HAVING count(*) > 0": a
// reason when some rows match.
std::string reason_if_any(const std::string &reason, const std::string &from_where)
{
    return "SELECT " + quote_literal(reason + "; orphan rows: ") + " || pg_catalog.count(*) " +
           from_where + " HAVING pg_catalog.count(*) > 0";
}

std::optional<std::string> set_null_obstacle(const ForeignKey &key)
{
    if (key.match == MatchType::Full) {
        for (const auto &column : key.columns)
            if (!can_be_null(column))
                return "MATCH FULL needs every key column NULL, and " +
                       quote_identifier(column.child_column) + " is " +
                       (column.child_generated ? "a generated column" : "NOT NULL");
        return std::nullopt;
    }
    if (columns_to_null(key).empty())
        return std::string(key.temporal
                               ? "the key columns other than its PERIOD column are NOT NULL"
                           : columns_set_on_delete(key).size() < key.columns.size()
                               ? "the key columns ON DELETE SET NULL names are NOT NULL"
                               : "the key columns are NOT NULL");
    return std::nullopt;
}

std::optional<std::string> set_default_obstacle(const ForeignKey &key)
{
    if (key.temporal)
        return std::string("a temporal key (PERIOD) has no SET DEFAULT in PostgreSQL 18, and a "
                           "default period would say nothing about when the row holds");
    for (const KeyColumn *column : columns_set_on_delete(key)) {
        std::string name = quote_identifier(column->child_column);
        if (column->child_generated)
            return "column " + name + " is generated: its value is computed, not a default";
        if (column->child_default_volatile)
            return "the default of column " + name +
                   " is volatile, like a sequence or random(): each row would get another "
                   "value, which cannot be checked before it is set";
        if (!column->child_default && column->child_not_null)
            return "column " + name + " is NOT NULL and has no default";
    }
    return std::nullopt;
}

std::optional<std::string> insert_parent_obstacle(const ForeignKey &key)
{
    // A parent row of a temporal key says when the parent existed: fkdoctor
    // does not make that up. fk_orphans' missing_key shows the periods a
    // person would have to insert.
    if (key.temporal)
        return "the parent rows of a temporal key (PERIOD) say when each parent of " +
               quote_qualified(key.parent.name) +
               " existed, which fkdoctor does not make up: insert by hand the periods "
               "fk_orphans() shows in missing_key, if they are true";
    if (!key.parent_accepts_bare_keys)
        return "the parent " + quote_qualified(key.parent.name) +
               " has NOT NULL columns outside the key without defaults";
    for (const auto &column : key.columns)
        if (!column.parent_insertable)
            return "parent column " + quote_identifier(column.parent_column) +
                   " is GENERATED ALWAYS: its values are PostgreSQL's to choose";
    return std::nullopt;
}

}  // namespace

const char *strategy_name(Strategy strategy)
{
    switch (strategy) {
    case Strategy::Delete: return "delete";
    case Strategy::SetNull: return "set_null";
    case Strategy::SetDefault: return "set_default";
    case Strategy::InsertParent: return "insert_parent";
    case Strategy::Quarantine: return "quarantine";
    }
    return "delete";
}

Strategy strategy_from_name(std::string_view name)
{
    for (Strategy strategy : kStrategies)
        if (name == strategy_name(strategy))
            return strategy;
    throw Error(kInvalidParameterValue, "unrecognized repair strategy \"" + std::string(name) + "\"",
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
    case Strategy::Delete: return std::nullopt;
    case Strategy::SetNull: return set_null_obstacle(key);
    case Strategy::SetDefault: return set_default_obstacle(key);
    case Strategy::InsertParent: return insert_parent_obstacle(key);
    case Strategy::Quarantine: return std::nullopt;  // the caller looks at the cascades
    }
    return std::nullopt;
}

std::vector<std::string> data_obstacle_queries(const ForeignKey &key, Strategy strategy)
{
    std::vector<std::string> queries;
    if (strategy == Strategy::SetDefault)
        // The defaults are evaluated as the UPDATE would (none is volatile),
        // per orphan: a key that keeps some of the row's own columns needs
        // the parent row of those values.
        queries.push_back(reason_if_any(
            "with the defaults set, the key would still reference no existing parent row",
            "FROM " + child_scan(key) + defaulted_row(key) + " WHERE " + orphan_condition(key) +
                " AND " + key_is_checked(key, kRepairedAlias) + " AND NOT EXISTS (SELECT FROM " +
                relation_scan(key.parent) + " " + std::string(kParentAlias) + " WHERE " +
                key_equality(key, kParentAlias, kRepairedAlias) + ")"));
    if (strategy == Strategy::InsertParent) {
        if (key.match == MatchType::Full)
            queries.push_back(reason_if_any(
                "a partly NULL key (MATCH FULL) matches no parent row",
                "FROM " + child_scan(key) + " WHERE " + orphan_condition(key) + " AND NOT " +
                    key_is_complete(key, kChildAlias)));
        queries.push_back(reason_if_any(
            "key values change when converted to the parent's column types, which would round "
            "or cut them",
            orphans_with_new_parent(key) + " AND " + new_parent_matches(key) + " IS NOT TRUE"));
    }
    return queries;
}

namespace {

std::string bare_repair_statement(const ForeignKey &key, Strategy strategy)
{
    switch (strategy) {
    case Strategy::Delete:
    case Strategy::Quarantine:  // without a plan: only its deletion
        return "DELETE FROM " + child_scan(key) + " WHERE " + orphan_rows_to_change(key);
    case Strategy::SetNull:
        return update_statement(key, columns_to_null(key), "NULL");
    case Strategy::SetDefault:
        return update_statement(key, columns_set_on_delete(key), "DEFAULT");
    case Strategy::InsertParent: {
        std::vector<std::string> parent_columns;
        for (const auto &column : key.columns)
            parent_columns.push_back(quote_identifier(column.parent_column));
        // A partitioned parent routes each row; an inheritance parent keeps
        // it, where the RI check (ONLY parent) looks.
        // ON CONFLICT on the key only: a parent row inserted meanwhile with
        // the same key is fine, but a conflict on another unique column of
        // the parent is an error, never a silently skipped row that leaves
        // its orphans behind.
        return "INSERT INTO " + quote_qualified(key.parent.name) + " (" +
               join_list(parent_columns, ", ") + ") " + missing_parent_keys(key) +
               " ON CONFLICT (" + join_list(parent_columns, ", ") + ") DO NOTHING";
    }
    }
    return "";
}

}  // namespace

const Relation &changed_table(const ForeignKey &key, Strategy strategy)
{
    return strategy == Strategy::InsertParent ? key.parent : key.child;
}

std::string repair_statement(const ForeignKey &key, Strategy strategy)
{
    return as_table_owner(changed_table(key, strategy), bare_repair_statement(key, strategy));
}

std::string trial_statement(const ForeignKey &key, Strategy strategy)
{
    return bare_repair_statement(key, strategy);
}

namespace {

// The whole row of a DELETE ... RETURNING, and the alias of a step's rows.
constexpr std::string_view kRowColumn = "row";

std::string step_name(int step)
{
    return step < 0 ? "moved" : "cascaded_" + std::to_string(step + 1);
}

std::string regclass_literal(const Relation &table)
{
    return quote_literal(quote_qualified(table.name)) + "::pg_catalog.regclass";
}

}  // namespace

namespace {

// "WITH [RECURSIVE] [doomed AS (...),] moved AS (DELETE ... RETURNING fk AS
// "row"), cascaded_1 AS (...), ...": the removal, whose steps' rows the
// caller then counts or inserts; levels gets each step's level.
std::string removal_ctes(const ForeignKey &key, const QuarantinePlan &plan,
                         std::vector<int> &levels)
{
    const std::string row = "(m." + quote_identifier(kRowColumn) + ")";
    const std::string returning = " RETURNING " + std::string(kChildAlias) + " AS " +
                                  quote_identifier(kRowColumn);
    std::string sql;
    if (plan.self_key) {
        // The orphans and the rows below them along the self-referencing
        // key, each once (UNION), located by (tableoid, ctid).
        const ForeignKey &self = *plan.self_key;
        std::vector<std::string> columns;
        for (const auto &column : self.columns)
            columns.push_back(quote_identifier(column.parent_column));
        auto located = [&](std::string_view alias) {
            std::string list = std::string(alias) + ".tableoid, " + std::string(alias) + ".ctid";
            for (const auto &column : self.columns)
                list += ", " + column_reference(alias, column.parent_column);
            return list;
        };
        sql = "WITH RECURSIVE doomed (t, c, " + join_list(columns, ", ") + ") AS (SELECT " +
              located(kChildAlias) + " FROM " + child_scan(key) + " WHERE " +
              orphan_condition(key) + " UNION SELECT " + located("below") + " FROM " +
              relation_scan(key.child) + " below JOIN doomed d ON " +
              key_equality(self, "d", "below") + "), moved AS (DELETE FROM " + child_scan(key) +
              " USING doomed d WHERE fk.tableoid OPERATOR(pg_catalog.=) d.t AND fk.ctid "
              "OPERATOR(pg_catalog.=) d.c" + returning + ")";
    } else {
        sql = "WITH moved AS (DELETE FROM " + child_scan(key) + " WHERE " +
              orphan_condition(key) + returning + ")";
    }
    for (size_t n = 0; n < plan.cascades.size(); ++n) {
        const CascadeStep &step = plan.cascades[n];
        // The rows of the step below that reference the rows the step above
        // removes, by the referencing key's own operators.
        sql += ", " + step_name(static_cast<int>(n)) + " AS (DELETE FROM " +
               child_scan(*step.key) + " USING " + step_name(step.from) + " m WHERE " +
               key_equality(*step.key, row, kChildAlias) + returning + ")";
        levels.push_back(step.from < 0 ? 1 : levels[step.from] + 1);
    }
    return sql;
}

std::string removed_tables(const QuarantinePlan &plan)
{
    std::vector<std::string> tables;
    for (const CascadeStep &step : plan.cascades)
        tables.push_back(quote_qualified(step.key->child.name));
    return join_list(tables, ", ");
}

}  // namespace

std::string quarantine_statement(const ForeignKey &key, const QuarantinePlan &plan, bool wrapped)
{
    const std::string row = "(m." + quote_identifier(kRowColumn) + ")";
    std::vector<int> levels;
    std::string sql = removal_ctes(key, plan, levels);
    std::string schema = quote_identifier(plan.extension_schema);
    std::string batch = std::to_string(plan.batch);
    std::vector<std::string> missing;
    for (const auto &column : key.columns)
        missing.push_back(quote_literal(column.child_column) + ", " + row + "." +
                          quote_identifier(column.child_column));
    sql += " INSERT INTO " + schema +
           ".fk_quarantine (batch, child_table, constraint_name, level, missing_key, row_data) "
           "SELECT " + batch + ", " + regclass_literal(key.child) + ", " +
           quote_literal(key.name) + ", 0, pg_catalog.jsonb_build_object(" +
           join_list(missing, ", ") + "), " + schema + ".fk_row_text(" + row + ") FROM moved m";
    for (size_t n = 0; n < plan.cascades.size(); ++n) {
        const ForeignKey &step = *plan.cascades[n].key;
        sql += " UNION ALL SELECT " + batch + ", " + regclass_literal(step.child) + ", " +
               quote_literal(step.name) + ", " + std::to_string(levels[n]) + ", NULL, " + schema +
               ".fk_row_text(" + row + ") FROM " + step_name(static_cast<int>(n)) + " m";
    }
    return wrapped ? as_table_owner(key.child, sql) : sql;
}

std::string delete_statement(const ForeignKey &key, const QuarantinePlan &plan, bool wrapped)
{
    if (plan.cascades.empty() && !plan.self_key)
        return wrapped ? repair_statement(key, Strategy::Delete)
                       : trial_statement(key, Strategy::Delete);
    std::vector<int> levels;
    std::string sql = removal_ctes(key, plan, levels);
    std::vector<std::string> counts{"(SELECT pg_catalog.count(*) FROM moved)"};
    for (size_t n = 0; n < plan.cascades.size(); ++n)
        counts.push_back("(SELECT pg_catalog.count(*) FROM " + step_name(static_cast<int>(n)) + ")");
    sql += " SELECT " + join_list(counts, " + ") + " AS deleted";
    return wrapped ? as_table_owner(key.child, sql) : sql;
}

std::string delete_note(const ForeignKey &key, const QuarantinePlan &plan)
{
    if (plan.cascades.empty() && !plan.self_key)
        return repair_note(key, Strategy::Delete);
    std::string note = "deletes the orphan rows of " + quote_qualified(key.child.name);
    if (plan.self_key)
        note += ", the rows below them in it (" + quote_identifier(plan.self_key->name) + ")";
    if (!plan.cascades.empty())
        note += ", and the rows of " + removed_tables(plan) +
                " that reference them (NO ACTION, RESTRICT and CASCADE keys, followed down), "
                "in one statement, so that no key stops it and no row is left referencing a "
                "deleted one";
    return note + "; rows that reference them through SET NULL or SET DEFAULT keys are set "
                  "as those keys say";
}

std::string quarantine_note(const ForeignKey &key, const QuarantinePlan &plan)
{
    std::string note = "moves the orphan rows of " + quote_qualified(key.child.name);
    if (plan.self_key)
        note += ", the rows below them in it (" + quote_identifier(plan.self_key->name) + ", at level 0 too)";
    if (!plan.cascades.empty())
        note += ", and the rows of " + removed_tables(plan) +
                " that reference them (NO ACTION, RESTRICT and CASCADE keys, followed down),";
    note += " into fk_quarantine as batch " + std::to_string(plan.batch) +
            "; SELECT fk_restore(" + std::to_string(plan.batch) + ") puts them back";
    if (key.child_is_referenced)
        note += "; rows that reference them through SET NULL or SET DEFAULT keys are changed "
                "as those keys say, and fk_restore does not change them back";
    return note;
}

std::string affected_rows_query(const ForeignKey &key, Strategy strategy)
{
    if (strategy == Strategy::InsertParent)
        return "SELECT pg_catalog.count(*) FROM (" + missing_parent_keys(key) + ") missing";
    return "SELECT pg_catalog.count(*) FROM " + child_scan(key) + " WHERE " + orphan_condition(key);
}

std::string repair_note(const ForeignKey &key, Strategy strategy)
{
    switch (strategy) {
    case Strategy::Quarantine:
        return quarantine_note(key, QuarantinePlan{});
    case Strategy::Delete:
        return "deletes the orphan rows of " + quote_qualified(key.child.name) +
               (key.child_is_referenced
                    ? "; rows that reference them follow their own keys' ON DELETE actions "
                      "(CASCADE deletes them too), and a NO ACTION key makes this statement fail "
                      "while they exist"
                    : "");
    case Strategy::SetNull:
        return "sets the key columns (" + column_names(columns_to_null(key)) +
               ") of the orphan rows to NULL: a key with " +
               (key.match == MatchType::Full ? "every column" : "a") +
               " NULL is not checked, and the rest of each row is kept" +
               (key.temporal && key.match == MatchType::Simple
                    ? "; the PERIOD column " +
                          quote_identifier(period_column(key).child_column) + " is kept"
                    : std::string());
    case Strategy::SetDefault:
        return "sets the key columns (" + column_names(columns_set_on_delete(key)) +
               ") of the orphan rows to their defaults, which reference an existing parent row "
               "or leave the key unchecked";
    case Strategy::InsertParent: {
        std::string note = "inserts the missing keys into " + quote_qualified(key.parent.name) +
                           "; its other columns take their defaults";
        if (key.parent.is_partitioned())
            note += "; a key that no partition accepts makes the statement fail, changing nothing";
        for (const auto &column : key.columns)
            if (column.parent_from_sequence)
                note += "; " + quote_identifier(column.parent_column) +
                        " normally comes from a sequence: if the inserted keys lie above its "
                        "current value, move it past them (setval), or later inserts collide";
        return note;
    }
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
                 " does not fire in an ordinary session: enabled first, so PostgreSQL enforces "
                 "the key during the repairs and after them (enabling checks no existing row)" +
                 (trigger.node.empty() ? std::string()
                                       : "; the table is a Citus shard: run this on node " +
                                             trigger.node + ", where it is"),
             Phase::EnableTriggers});
    if (key.enforcement == Enforcement::NotEnforced)
        statements.push_back(
            {"enforce",
             // VALIDATE CONSTRAINT is an error on a NOT ENFORCED key; ENFORCED
             // creates its triggers and checks the rows with its operators.
             as_table_owner(key.child, "ALTER TABLE " + quote_qualified(key.child.name) +
                                           " ALTER CONSTRAINT " + quote_identifier(key.name) +
                                           " ENFORCED"),
             "the key is declared NOT ENFORCED: once its orphans are repaired, ALTER CONSTRAINT "
             "... ENFORCED creates its RI triggers, checks the table and marks the key valid",
             Phase::Validate});
    else if (!key.validated)
        statements.push_back(
            {"validate",
             // VALIDATE runs the key's operators and casts.
             as_table_owner(key.child, "ALTER TABLE " + quote_qualified(key.child.name) +
                                           " VALIDATE CONSTRAINT " + quote_identifier(key.name)),
             "the key was added NOT VALID: once its orphans are repaired, VALIDATE CONSTRAINT "
             "checks the table and marks the key valid",
             Phase::Validate});
    return statements;
}

Phase repair_phase(std::optional<Strategy> strategy)
{
    if (!strategy)
        return Phase::ByHand;
    switch (*strategy) {
    case Strategy::Delete:
    case Strategy::Quarantine: return Phase::Delete;
    case Strategy::SetNull:
    case Strategy::SetDefault: return Phase::Update;
    case Strategy::InsertParent: return Phase::InsertParent;
    }
    return Phase::ByHand;
}

}  // namespace fkd
