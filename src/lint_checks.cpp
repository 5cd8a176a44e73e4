#include "lint_checks.hpp"

#include <algorithm>

#include "repair_generator.hpp"
#include "sql_generator.hpp"
#include "sql_quoting.hpp"

#ifdef POSTGRES_H
static_assert(false, "the lint checks are plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

std::vector<std::string> child_columns(const ForeignKey &key)
{
    std::vector<std::string> columns;
    for (const auto &column : key.columns)
        columns.push_back(column.child_column);
    return columns;
}

std::string column_list(const ForeignKey &key)
{
    std::string list;
    for (const auto &column : key.columns)
        list += (list.empty() ? "" : ", ") + quote_identifier(column.child_column);
    return list;
}

bool same_target(const ForeignKey &a, const ForeignKey &b)
{
    if (a.parent.oid != b.parent.oid || a.columns.size() != b.columns.size())
        return false;
    for (size_t i = 0; i < a.columns.size(); ++i)
        if (a.columns[i].parent_column != b.columns[i].parent_column)
            return false;
    return true;
}

// b's columns begin with all of a's, and b has more.
bool is_prefix_of(const ForeignKey &a, const ForeignKey &b)
{
    std::vector<std::string> shorter = child_columns(a), longer = child_columns(b);
    return shorter.size() < longer.size() &&
           std::equal(shorter.begin(), shorter.end(), longer.begin());
}

bool has_action(const ForeignKey &key)
{
    auto acts = [](Action a) {
        return a == Action::Cascade || a == Action::SetNull || a == Action::SetDefault;
    };
    return acts(key.on_delete) || acts(key.on_update);
}

std::string create_index_statement(const ForeignKey &key)
{
    // No name: PostgreSQL picks one that does not collide (table_column_idx).
    // A partitioned table cannot be indexed CONCURRENTLY.
    return std::string("CREATE INDEX ") + (key.child.is_partitioned() ? "" : "CONCURRENTLY ") +
           "ON " + quote_qualified(key.child.name) + " (" + column_list(key) + ")";
}

std::string joined_statements(const std::vector<FollowUp> &steps, const char *kind)
{
    std::string joined;
    for (const FollowUp &step : steps)
        if (std::string(step.kind) == kind)
            joined += (joined.empty() ? "" : "; ") + step.statement;
    return joined;
}

void lint_enforcement(const ForeignKey &key, std::vector<LintFinding> &findings)
{
    if (key.enforcement == Enforcement::Enabled)
        return;
    std::vector<FollowUp> steps = follow_ups(key);
    std::string enable = joined_statements(steps, "enable_trigger");
    if (key.validated)
        findings.push_back(
            {"valid_but_unenforced", &key, "error",
             std::string("the key is marked valid but its RI triggers are ") +
                 enforcement_text(key.enforcement) +
                 ": PostgreSQL trusts rows it never checked, and VALIDATE CONSTRAINT does "
                 "nothing on a valid key; enable the triggers, then audit with fk_audit()",
             enable.empty() ? std::nullopt : std::optional<std::string>(enable)});
}

void lint_validation(const ForeignKey &key, std::vector<LintFinding> &findings)
{
    if (key.validated)
        return;
    findings.push_back({"not_valid", &key, "warning",
                        "the key was added NOT VALID and never validated: rows older than it were "
                        "never checked; run fk_audit() or fk_repairs() first, then validate",
                        joined_statements(follow_ups(key), "validate")});
}

void lint_index(const ForeignKey &key, std::vector<LintFinding> &findings)
{
    if (key.child_index != 0)
        return;
    if (has_action(key))
        findings.push_back({"cascade_without_index", &key, "warning",
                            std::string("ON DELETE ") + action_sql(key.on_delete) + " / ON UPDATE " +
                                action_sql(key.on_update) +
                                " changes child rows, but no index on the child leads with (" +
                                column_list(key) +
                                "): each parent DELETE or key UPDATE scans the whole child",
                            create_index_statement(key)});
    else
        findings.push_back({"unindexed", &key, "info",
                            "no index on the child leads with (" + column_list(key) +
                                "): every parent DELETE or key UPDATE scans the child to check it",
                            create_index_statement(key)});
}

void lint_types(const ForeignKey &key, std::vector<LintFinding> &findings)
{
    for (const auto &column : key.columns) {
        if (column.child_type == column.parent_type)
            continue;
        findings.push_back({"type_mismatch", &key, "warning",
                            quote_identifier(column.child_column) + " is " + column.child_type_name +
                                " but references " + quote_identifier(column.parent_column) + " " +
                                column.parent_type_name +
                                ": it works through a cross-type operator, but can defeat index "
                                "use and overflow or truncate later",
                            "ALTER TABLE " + quote_qualified(key.child.name) + " ALTER COLUMN " +
                                quote_identifier(column.child_column) + " TYPE " +
                                column.parent_type_name});
    }
}

void lint_nullable_composite(const ForeignKey &key, std::vector<LintFinding> &findings)
{
    if (key.columns.size() < 2 || key.match != MatchType::Simple)
        return;
    bool nullable = std::any_of(key.columns.begin(), key.columns.end(),
                                [](const KeyColumn &c) { return !c.child_not_null; });
    if (nullable)
        findings.push_back({"nullable_composite", &key, "warning",
                            "a MATCH SIMPLE key on (" + column_list(key) +
                                ") with nullable columns: a row with any one of them NULL escapes "
                                "the check entirely; declare the columns NOT NULL or the key MATCH "
                                "FULL",
                            std::nullopt});
}

void lint_against_others(const ForeignKey &key, const std::vector<const ForeignKey *> &keys,
                         std::vector<LintFinding> &findings)
{
    for (const ForeignKey *other : keys) {
        if (other == &key || other->child.oid != key.child.oid)
            continue;
        if (child_columns(*other) == child_columns(key) && same_target(*other, key) &&
            other->name < key.name)
            findings.push_back({"duplicate", &key, "warning",
                                "the same key as " + quote_identifier(other->name) +
                                    ": every write is checked twice",
                                "ALTER TABLE " + quote_qualified(key.child.name) +
                                    " DROP CONSTRAINT " + quote_identifier(key.name)});
        else if (is_prefix_of(key, *other))
            findings.push_back({"overlapping", &key, "info",
                                "its columns (" + column_list(key) + ") lead the key " +
                                    quote_identifier(other->name) + " (" + column_list(*other) +
                                    "): check that both are meant",
                                std::nullopt});
    }
}

}  // namespace

std::vector<LintFinding> lint_keys(const std::vector<const ForeignKey *> &keys)
{
    std::vector<LintFinding> findings;
    for (const ForeignKey *key : keys) {
        lint_enforcement(*key, findings);
        lint_validation(*key, findings);
        lint_index(*key, findings);
        lint_types(*key, findings);
        lint_nullable_composite(*key, findings);
        lint_against_others(*key, keys, findings);
    }
    return findings;
}

}  // namespace fkd
