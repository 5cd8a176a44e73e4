#include "core/lint_checks.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "core/repair_generator.hpp"
#include "core/sql_generator.hpp"
#include "core/sql_quoting.hpp"

#ifdef POSTGRES_H
static_assert(false, "the lint checks are plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

using ColumnPair = std::pair<std::string, std::string>;  // child column, parent column

std::vector<ColumnPair> column_pairs(const ForeignKey &key)
{
    std::vector<ColumnPair> pairs;
    for (const auto &column : key.columns)
        pairs.emplace_back(column.child_column, column.parent_column);
    return pairs;
}

// Same child, same parent, the same column pairs in any order: one key twice.
bool same_tables(const ForeignKey &a, const ForeignKey &b)
{
    return a.child.oid == b.child.oid && a.parent.oid == b.parent.oid;
}

bool same_key_columns(const ForeignKey &a, const ForeignKey &b)
{
    if (!same_tables(a, b) || a.columns.size() != b.columns.size())
        return false;
    std::vector<ColumnPair> pairs_a = column_pairs(a), pairs_b = column_pairs(b);
    std::sort(pairs_a.begin(), pairs_a.end());
    std::sort(pairs_b.begin(), pairs_b.end());
    return pairs_a == pairs_b;
}

// a's column pairs begin b's, and b has more: a is a prefix of b.
bool is_prefix_of(const ForeignKey &a, const ForeignKey &b)
{
    if (!same_tables(a, b) || a.columns.size() >= b.columns.size())
        return false;
    std::vector<ColumnPair> shorter = column_pairs(a), longer = column_pairs(b);
    return std::equal(shorter.begin(), shorter.end(), longer.begin());
}

// The first columns of wide, in any order, are those of narrow.
bool leads_with(const ForeignKey &wide, const ForeignKey &narrow)
{
    std::vector<std::string> leading = child_columns(wide), columns = child_columns(narrow);
    if (leading.size() < columns.size())
        return false;
    leading.resize(columns.size());
    std::sort(leading.begin(), leading.end());
    std::sort(columns.begin(), columns.end());
    return leading == columns;
}

std::string behaviour_text(const ForeignKey &key)
{
    std::string text = std::string("MATCH ") + match_type_sql(key.match) + " ON UPDATE " +
                       action_sql(key.on_update) + " ON DELETE " + action_sql(key.on_delete);
    if (key.deferrable)
        text += key.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
    return text;
}

// Of two keys that are the same, the one to keep: a validated and enforced
// one before one that is not, then the first by name.
auto keep_rank(const ForeignKey &key)
{
    return std::make_tuple(!key.validated, key.enforcement != Enforcement::Enabled,
                           std::cref(key.name));
}

bool changes_child(Action action)
{
    return action == Action::Cascade || action == Action::SetNull ||
           action == Action::SetDefault;
}

// "ON DELETE CASCADE and ON UPDATE SET NULL": the actions that change child rows.
std::string child_changing_actions(const ForeignKey &key)
{
    std::vector<std::string> actions;
    if (changes_child(key.on_delete))
        actions.push_back(std::string("ON DELETE ") + action_sql(key.on_delete));
    if (changes_child(key.on_update))
        actions.push_back(std::string("ON UPDATE ") + action_sql(key.on_update));
    return join_list(actions, " and ");
}

std::optional<std::string> follow_up_statements(const ForeignKey &key)
{
    std::vector<std::string> statements;
    for (const FollowUp &step : follow_ups(key))
        statements.push_back(step.statement);
    if (statements.empty())
        return std::nullopt;
    return join_list(statements, "; ");
}

std::string why_unenforced(Enforcement enforcement)
{
    switch (enforcement) {
    case Enforcement::Disabled:
        return "its RI triggers are disabled";
    case Enforcement::ReplicaOnly:
        return "its RI triggers fire only under session_replication_role = replica";
    case Enforcement::MissingTriggers:
        return "a partition of the child has no RI check trigger for it (a PostgreSQL bug "
               "before 15.9, after DETACH PARTITION)";
    case Enforcement::NotEnforced:
        return "it is declared NOT ENFORCED";
    case Enforcement::Enabled:
        break;
    }
    return "its RI triggers fire";
}

class Linter {
public:
    Linter(const std::vector<const ForeignKey *> &keys, const IndexNamer &name_index)
        : keys_(keys), name_index_(name_index)
    {
    }

    std::vector<LintFinding> run()
    {
        for (const ForeignKey *key : keys_) {
            enforcement(*key);
            not_enforced(*key);
            validation(*key);
            index(*key);
            types(*key);
            collations(*key);
            nullable_composite(*key);
            duplicate(*key);
            overlapping(*key);
        }
        return std::move(findings_);
    }

private:
    void add(const char *check, const ForeignKey &key, const char *severity, std::string detail,
             std::optional<std::string> fix = std::nullopt)
    {
        findings_.push_back({check, &key, severity, std::move(detail), std::move(fix)});
    }

    void enforcement(const ForeignKey &key)
    {
        if (key.enforcement == Enforcement::Enabled || !key.validated)
            return;  // a NOT VALID key is reported by validation()
        std::string remedy = key.enforcement == Enforcement::MissingTriggers
                                 ? "drop the key and add it again"
                                 : "enable the triggers";
        std::string nodes;
        for (const TriggerRef &trigger : key.unenforced_triggers)
            if (!trigger.node.empty() && nodes.find(trigger.node) == std::string::npos)
                nodes += (nodes.empty() ? "" : ", ") + trigger.node;
        if (!nodes.empty())
            remedy += " (they are on Citus shards: run the fix on node " + nodes + ")";
        add("valid_but_unenforced", key, "error",
            "the key is marked valid but " + why_unenforced(key.enforcement) +
                ": PostgreSQL trusts rows it never checked, and VALIDATE CONSTRAINT does "
                "nothing on a valid key; " + remedy + ", then look for orphans with fk_audit()",
            follow_up_statements(key));
    }

    // Declared, not damaged: a NOT ENFORCED key is never validated and has
    // no RI triggers by design (VALIDATE CONSTRAINT is an error on it).
    void not_enforced(const ForeignKey &key)
    {
        if (key.enforcement != Enforcement::NotEnforced)
            return;
        add("not_enforced", key, "info",
            "the key is declared NOT ENFORCED: PostgreSQL never checks it (no RI triggers, no "
            "validation), so rows may break it; to enforce it, run fk_audit() or fk_repairs() "
            "first, then ALTER CONSTRAINT ... ENFORCED, which checks every row and fails on the "
            "first orphan",
            follow_up_statements(key));
    }

    void validation(const ForeignKey &key)
    {
        if (key.validated || key.enforcement == Enforcement::NotEnforced)
            return;
        std::string detail =
            "the key was added NOT VALID and never validated: rows older than it were never "
            "checked";
        if (key.enforcement != Enforcement::Enabled)
            detail += ", and " + why_unenforced(key.enforcement) +
                      ", so new rows are not checked either";
        add("not_valid", key, "warning",
            detail + "; run fk_audit() or fk_repairs() first, then validate",
            follow_up_statements(key));
    }

    void index(const ForeignKey &key)
    {
        if (key.child_index != 0)
            return;
        std::string detail = "no index on the child leads with (" + child_column_list(key) +
                             "): every parent DELETE or key UPDATE scans the whole child, once "
                             "per parent row";
        const ForeignKey &widest = widest_unindexed_over(key);
        if (&widest != &key)
            detail += "; the index proposed, on (" + child_column_list(widest) + "), also serves " +
                      quote_identifier(widest.name);
        if (key.child.is_partitioned())
            detail += "; CONCURRENTLY cannot index a partitioned table, so this CREATE INDEX "
                      "blocks writes to every partition while it runs (to avoid that: CREATE "
                      "INDEX ON ONLY the table, CREATE INDEX CONCURRENTLY on each partition, "
                      "then ALTER INDEX ... ATTACH PARTITION each one)";
        if (changes_child(key.on_delete) || changes_child(key.on_update))
            add("cascade_without_index", key, "warning",
                child_changing_actions(key) + " changes child rows, but " + detail,
                create_index_statement(key));
        else
            add("unindexed", key, "info", detail, create_index_statement(key));
    }

    // The unindexed key of the same child with the most columns whose leading
    // columns are this key's, in any order: one index on its columns serves both.
    const ForeignKey &widest_unindexed_over(const ForeignKey &key) const
    {
        const ForeignKey *widest = &key;
        for (const ForeignKey *other : keys_)
            if (other->child.oid == key.child.oid && other->child_index == 0 &&
                other->temporal == key.temporal &&
                other->columns.size() > widest->columns.size() && leads_with(*other, key))
                widest = other;
        return *widest;
    }

    // One statement per table and set of columns, so two keys that one index
    // serves propose the same statement; IF NOT EXISTS makes the second a no-op.
    std::string create_index_statement(const ForeignKey &unindexed)
    {
        const ForeignKey &key = widest_unindexed_over(unindexed);
        std::vector<std::string> columns = child_columns(key);
        std::sort(columns.begin(), columns.end());
        auto [entry, is_new] = index_statements_.try_emplace({key.child.oid, columns});
        if (is_new)
            entry->second = std::string("CREATE INDEX ") +
                            (key.child.is_partitioned() ? "" : "CONCURRENTLY ") + "IF NOT EXISTS " +
                            quote_identifier(new_index_name(key)) + " ON " +
                            quote_qualified(key.child.name) +
                            // A temporal key's && needs GiST (btree_gist for
                            // scalar columns, which the parent's key needs too).
                            (key.temporal ? " USING gist" : "") + " (" + child_column_list(key) + ")";
        return entry->second;
    }

    std::string new_index_name(const ForeignKey &key)
    {
        std::string column_part = join_list(child_columns(key), "_");
        for (int attempt = 0;; ++attempt) {
            std::string label = attempt == 0 ? "idx" : "idx" + std::to_string(attempt);
            std::string name = name_index_(key.child.name, column_part, label);
            if (index_names_.insert({key.child.name.schema, name}).second)
                return name;
        }
    }

    void types(const ForeignKey &key)
    {
        for (const auto &column : key.columns) {
            if (column.child_type == column.parent_type)
                continue;
            add("type_mismatch", key, "warning",
                quote_identifier(column.child_column) + " is " + column.child_type_name +
                    " but references " + quote_identifier(column.parent_column) + " " +
                    column.parent_type_name +
                    ": it works through a cross-type operator, but can defeat index use and "
                    "overflow or truncate later (the fix rewrites the child table under an "
                    "ACCESS EXCLUSIVE lock)",
                // The rewrite converts every value with the types' own functions.
                as_table_owner(key.child, "ALTER TABLE " + quote_qualified(key.child.name) +
                                              " ALTER COLUMN " +
                                              quote_identifier(column.child_column) + " TYPE " +
                                              column.parent_type_name));
        }
    }

    // PostgreSQL 18 refuses a key between columns of different collations
    // when either is nondeterministic; a key made before 18 can have it, and
    // then dump/restore and pg_upgrade to 18 fail on it. The fix gives the
    // child column the referenced column's collation, which decides the
    // key's comparisons already.
    void collations(const ForeignKey &key)
    {
        for (const auto &column : key.columns) {
            if (!column.collations_refused_by_18 || !column.comparison_collation)
                continue;
            add("collation_mismatch", key, "warning",
                quote_identifier(column.child_column) + " and the column it references, " +
                    quote_identifier(column.parent_column) +
                    ", have different collations and one of them is nondeterministic: "
                    "PostgreSQL 18 refuses such a key, so a dump restored into 18, or pg_upgrade "
                    "to 18, fails on it; give the child column the referenced column's "
                    "collation (" + quote_qualified(*column.comparison_collation) +
                    ", which decides the key's comparisons already; the fix rebuilds the "
                    "column's indexes under an ACCESS EXCLUSIVE lock)",
                as_table_owner(key.child, "ALTER TABLE " + quote_qualified(key.child.name) +
                                              " ALTER COLUMN " +
                                              quote_identifier(column.child_column) + " TYPE " +
                                              column.child_type_name + " COLLATE " +
                                              quote_qualified(*column.comparison_collation)));
        }
    }

    void nullable_composite(const ForeignKey &key)
    {
        if (key.columns.size() < 2 || key.match != MatchType::Simple)
            return;
        std::vector<std::string> nullable;
        // A NOT VALID NOT NULL (18) refuses new NULLs, but stored rows may hold them.
        std::vector<std::string> nullable_stored;
        for (const auto &column : key.columns)
            if (!column.child_not_null)
                nullable.push_back(quote_identifier(column.child_column));
            else if (column.child_not_null_unvalidated)
                nullable_stored.push_back(quote_identifier(column.child_column));
        std::vector<std::string> all = nullable;
        all.insert(all.end(), nullable_stored.begin(), nullable_stored.end());
        if (all.empty())
            return;
        std::string remedy = nullable.empty() ? "" : "declare them NOT NULL, or the key MATCH FULL";
        if (!nullable_stored.empty())
            remedy += std::string(remedy.empty() ? "" : "; ") + "the NOT NULL of " +
                      join_list(nullable_stored, ", ") +
                      " is NOT VALID, so stored rows may still hold NULLs: validate it "
                      "(ALTER TABLE ... VALIDATE CONSTRAINT)";
        add("nullable_composite", key, "warning",
            "a MATCH SIMPLE key on (" + child_column_list(key) + ") with nullable columns (" +
                join_list(all, ", ") + "): a row with any one of them NULL escapes the check "
                "entirely; " + remedy);
    }

    // The key this one repeats and should give way to, if any.
    const ForeignKey *kept_instead(const ForeignKey &key) const
    {
        const ForeignKey *kept = &key;
        for (const ForeignKey *other : keys_)
            if (other != &key && same_key_columns(*other, key) &&
                keep_rank(*other) < keep_rank(*kept))
                kept = other;
        return kept == &key ? nullptr : kept;
    }

    void duplicate(const ForeignKey &key)
    {
        const ForeignKey *kept = kept_instead(key);
        if (!kept)
            return;
        std::string same = "the same columns and parent as " + quote_identifier(kept->name) +
                           ": every write is checked twice";
        if (behaviour_text(key) == behaviour_text(*kept))
            add("duplicate", key, "warning", same,
                "ALTER TABLE " + quote_qualified(key.child.name) + " DROP CONSTRAINT " +
                    quote_identifier(key.name));
        else
            add("duplicate", key, "warning",
                same + "; they differ (" + behaviour_text(key) + " here, " +
                    behaviour_text(*kept) + " there): keep the one that is meant, drop the other");
    }

    void overlapping(const ForeignKey &key)
    {
        if (kept_instead(key))
            return;  // reported as a duplicate
        for (const ForeignKey *other : keys_)
            if (is_prefix_of(key, *other) && !kept_instead(*other))
                add("overlapping", key, "info",
                    "its columns (" + child_column_list(key) + ") lead those of " +
                        quote_identifier(other->name) + " (" + child_column_list(*other) +
                        ") to the same parent: check that both keys are meant");
    }

    const std::vector<const ForeignKey *> &keys_;
    const IndexNamer &name_index_;
    std::vector<LintFinding> findings_;
    // The proposed CREATE INDEX by child table and sorted column names.
    std::map<std::pair<Oid, std::vector<std::string>>, std::string> index_statements_;
    std::set<std::pair<std::string, std::string>> index_names_;  // schema, name
};

}  // namespace

std::vector<LintFinding> lint_keys(const std::vector<const ForeignKey *> &keys,
                                   const IndexNamer &name_index)
{
    return Linter(keys, name_index).run();
}

}  // namespace fkd
