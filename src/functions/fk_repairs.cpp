// fk_repairs(rel regclass DEFAULT NULL, strategy text DEFAULT NULL): the SQL
// that repairs each key's orphans, in the order it must run, for a person
// to review and then run with psql's \gexec.
#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <set>
#include <vector>

#include "core/errors.hpp"
#include "core/repair_generator.hpp"
#include "core/sql_generator.hpp"
#include "core/sql_quoting.hpp"
#include "server/access_checks.hpp"
#include "server/key_function_call.hpp"
#include "server/orphan_check.hpp"
#include "server/run_as_owner.hpp"
#include "server/subtransaction.hpp"

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
}

namespace fkd {
namespace {

struct RepairRow {
    const ForeignKey *key;
    const char *step;               // "repair", or a follow-up's kind
    std::string strategy;           // empty: NULL (a follow-up, or left to a person)
    std::optional<std::string> statement;
    std::optional<std::int64_t> rows_affected;
    std::string note;
    Phase phase;
    int depth;  // how many references lead from the child up to a root table
    // For the preview: the statement unwrapped, and the table it changes.
    std::string bare_statement = {};
    const Relation *changed = nullptr;
    std::optional<std::string> side_effects = {};
};

enum Column {
    kConstraintName, kChildTable, kStep, kStrategy, kStatement, kRowsAffected, kNote,
    kSideEffects, kColumnCount
};

std::int64_t count_of(const std::string &query)
{
    return std::stoll(query_value(query).value_or("0"));
}

// How deep a quarantine follows ON DELETE CASCADE keys down from the orphans.
constexpr int kMaxCascadeDepth = 8;

// What the quarantine strategy needs besides the key: where the extension
// keeps fk_quarantine, the call's batch (taken once, when first needed) and
// the cascading keys below the orphans' tables, loaded as they are found.
class QuarantineContext {
public:
    std::int64_t batch()
    {
        if (!batch_)
            batch_ = count_of("SELECT pg_catalog.nextval(" +
                              quote_literal(quote_identifier(schema()) +
                                            ".fk_quarantine_batch_seq") +
                              "::pg_catalog.regclass)");
        return *batch_;
    }

    const std::string &schema()
    {
        if (schema_.empty())
            schema_ = query_value(
                          "SELECT n.nspname FROM pg_catalog.pg_extension e JOIN "
                          "pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE "
                          "e.extname = 'fkdoctor'")
                          .value_or("public");
        return schema_;
    }

    // The keys that reference table and whose rows go, or stop the
    // deletion, when the rows they reference are deleted: ON DELETE
    // CASCADE, NO ACTION and RESTRICT.
    const std::vector<const ForeignKey *> &cascading_keys(Oid table)
    {
        auto found = cascading_.find(table);
        if (found != cascading_.end())
            return found->second;
        std::vector<const ForeignKey *> &keys = cascading_[table];
        for (const TextRow &row : query_text_rows(
                 "SELECT DISTINCT c.conrelid FROM pg_catalog.pg_constraint c WHERE c.contype = "
                 "'f' AND c.conparentid = 0 AND c.confdeltype IN ('c', 'a', 'r') AND c.confrelid = " +
                 std::to_string(table))) {
            Oid child = static_cast<Oid>(std::stoul(row.at(0).value_or("0")));
            KeyList loaded;
            load_foreign_keys(child, KeyUse::ReadTables, loaded);
            for (const ForeignKey &key : loaded)
                if (key.parent.oid == table &&
                    (key.on_delete == Action::Cascade || key.on_delete == Action::NoAction ||
                     key.on_delete == Action::Restrict)) {
                    storage_.push_back(key);
                    keys.push_back(&storage_.back());
                }
        }
        return keys;
    }

private:
    std::optional<std::int64_t> batch_;
    std::string schema_;
    std::map<Oid, std::vector<const ForeignKey *>> cascading_;
    std::deque<ForeignKey> storage_;
};

QuarantineContext *quarantine_context = nullptr;  // set for the length of a call

// The rows that must go with the key's orphans: those that reference them
// through ON DELETE CASCADE, NO ACTION or RESTRICT keys, and the rows below
// those, breadth first; or why one statement cannot remove them all.
std::optional<std::string> plan_quarantine(const ForeignKey &key, QuarantinePlan &plan)
{
    QuarantineContext &context = *quarantine_context;
    plan.extension_schema = context.schema();
    std::set<Oid> seen{key.child.oid};
    std::vector<std::pair<Oid, int>> tables{{key.child.oid, -1}};
    std::vector<int> depth;
    for (size_t next = 0; next < tables.size(); ++next) {
        auto [table, step] = tables[next];
        for (const ForeignKey *cascade : context.cascading_keys(table)) {
            std::string label = "foreign key " + quote_identifier(cascade->name) + " of table " +
                                quote_qualified(cascade->child.name);
            if (cascade->child.oid == table) {
                if (step < 0 && !plan.self_key) {
                    plan.self_key = cascade;  // the tree below the orphans
                    continue;
                }
                return label + " is self-referencing below the orphans' table: one statement "
                               "cannot yet follow it";
            }
            if (!seen.insert(cascade->child.oid).second)
                return "the rows referencing the orphans reach table " +
                       quote_qualified(cascade->child.name) + " along more than one path";
            if (cascade->child.owner != key.child.owner)
                return label + " references the orphans' rows (ON DELETE " +
                       action_sql(cascade->on_delete) + "), and its table has another owner than " +
                       quote_qualified(key.child.name) + ": the statement runs as one owner";
            int level = step < 0 ? 1 : depth[step] + 1;
            if (level > kMaxCascadeDepth)
                return "the rows referencing the orphans reach deeper than " +
                       std::to_string(kMaxCascadeDepth) + " tables";
            plan.cascades.push_back({cascade, step});
            depth.push_back(level);
            tables.push_back({cascade->child.oid, static_cast<int>(plan.cascades.size()) - 1});
        }
    }
    return std::nullopt;
}

// Whether the transaction may change data: not on a standby, not in a
// READ ONLY transaction, where no trial can run.
bool may_try_statements()
{
    return pg_call([]() noexcept { return !XactReadOnly && !RecoveryInProgress(); });
}

// Everything that can reject a row the statement writes: CHECK constraints,
// NOT NULL columns and domains, unique columns other than the key, the
// changed table's own foreign keys (deferred ones made immediate), its
// triggers. Rather than model them, the statement runs, as the owner of the
// table it changes, in a subtransaction that is always rolled back; it must
// succeed and change exactly the rows it is said to repair.
std::optional<std::string> trial_obstacle(const ForeignKey &key, Strategy strategy)
{
    if (!may_try_statements())
        return std::nullopt;
    std::int64_t expected = 0;
    run_as_key_checker(key, [&] { expected = count_of(affected_rows_query(key, strategy)); });
    std::int64_t changed = 0;
    std::string statement = trial_statement(key, strategy);
    Oid owner = changed_table(key, strategy).owner;
    std::optional<std::string> error = try_and_roll_back([&] {
        execute_statement("SET CONSTRAINTS ALL IMMEDIATE");
        run_as_owner(owner, [&] { changed = static_cast<std::int64_t>(execute_statement(statement)); });
    });
    if (error)
        return "a trial run of the statement (rolled back) failed: " + *error;
    if (changed != expected)
        return "a trial run of the statement (rolled back) changed " + std::to_string(changed) +
               (changed == 1 ? " row" : " rows") + " where " + std::to_string(expected) +
               " must change";
    return std::nullopt;
}

// Why the strategy cannot repair the key's orphans, from the catalogs and,
// where that is not enough, a look at the data. A look that fails (a key
// value out of the parent type's range, a default that raises) is a reason.
std::optional<std::string> obstacle(const ForeignKey &key, Strategy strategy)
{
    if (auto reason = catalog_obstacle(key, strategy))
        return reason;
    if (strategy == Strategy::Quarantine) {
        QuarantinePlan plan;
        return plan_quarantine(key, plan);
    }
    std::optional<std::string> reason;
    // The queries evaluate the owners' defaults, casts and domain checks.
    run_as_key_checker(key, [&] {
        for (const std::string &query : data_obstacle_queries(key, strategy)) {
            if (auto error = run_in_subtransaction([&] { reason = query_value(query); }))
                reason = "checking the orphans' data failed: " + *error;
            if (reason)
                return;
        }
    });
    if (!reason && strategy != Strategy::Delete)
        reason = trial_obstacle(key, strategy);
    return reason;
}

std::string workable_strategies(const ForeignKey &key)
{
    std::vector<std::string> names;
    for (Strategy strategy : kStrategies)
        if (!obstacle(key, strategy))
            names.push_back(strategy_name(strategy));
    return names.empty() ? "none: the rows must be fixed by hand" : join_list(names, ", ");
}

std::string key_label(const ForeignKey &key)
{
    return "foreign key " + quote_identifier(key.name) + " of table " +
           quote_qualified(key.child.name);
}

// Tables referenced by no key come first at depth 0; a table's depth is one
// more than the deepest table it references (cycles are cut).
std::map<Oid, int> reference_depths(const KeyList &keys)
{
    std::map<Oid, int> depth;
    for (size_t round = 0; round < keys.size(); ++round) {
        bool changed = false;
        for (const ForeignKey &key : keys) {
            if (key.child.oid == key.parent.oid)
                continue;
            int candidate = depth[key.parent.oid] + 1;
            if (candidate > depth[key.child.oid] && candidate <= static_cast<int>(keys.size())) {
                depth[key.child.oid] = candidate;
                changed = true;
            }
        }
        if (!changed)
            break;
    }
    return depth;
}

// orphans: the key's orphan rows now, which is also what the delete,
// set_null and set_default statements would change.
RepairRow chosen_repair(const ForeignKey &key, std::int64_t orphans,
                        std::optional<Strategy> requested, bool table_named)
{
    // NO ACTION and RESTRICT say nothing about orphans: put back the missing
    // parents where that can work.
    std::optional<Strategy> strategy = requested ? requested : strategy_of_on_delete(key.on_delete);
    if (!strategy)
        strategy = Strategy::InsertParent;
    std::optional<std::string> reason = obstacle(key, *strategy);
    if (requested && reason && table_named)
        throw Error(kInvalidParameterValue,
                    std::string("strategy ") + strategy_name(*requested) + " cannot repair " +
                        key_label(key),
                    sentence(*reason),
                    "Strategies that apply to this key: " + workable_strategies(key) + ".",
                    {key.child.name.schema, key.child.name.name, key.name});
    if (reason) {
        std::string why = std::string(strategy_name(*strategy)) + " cannot apply (" + *reason + ")";
        if (!requested && !strategy_of_on_delete(key.on_delete))
            why = std::string("ON DELETE ") + action_sql(key.on_delete) +
                  " says nothing about orphans, and " + why;
        return {&key, "repair", "", std::nullopt, orphans,
                why + ": a person must choose. Strategies that would work: " +
                    workable_strategies(key),
                repair_phase(std::nullopt), 0};
    }
    std::int64_t affected = orphans;
    if (*strategy == Strategy::Quarantine) {
        QuarantinePlan plan;
        (void) plan_quarantine(key, plan);
        plan.batch = quarantine_context->batch();
        return {&key, "repair", strategy_name(*strategy), quarantine_statement(key, plan),
                affected, quarantine_note(key, plan), repair_phase(strategy), 0,
                quarantine_statement(key, plan, false), &key.child};
    }
    if (*strategy == Strategy::Delete && key.child_is_referenced) {
        // Deleting an orphan that other rows reference: those go with it
        // (or, where one statement cannot take them, the plain DELETE,
        // which may then fail, as its note says).
        QuarantinePlan plan;
        if (!plan_quarantine(key, plan))
            return {&key, "repair", strategy_name(*strategy), delete_statement(key, plan),
                    affected, delete_note(key, plan), repair_phase(strategy), 0,
                    delete_statement(key, plan, false), &key.child};
    }
    if (*strategy == Strategy::InsertParent)
        run_as_key_checker(key, [&] { affected = count_of(affected_rows_query(key, *strategy)); });
    return {&key, "repair", strategy_name(*strategy), repair_statement(key, *strategy), affected,
            repair_note(key, *strategy), repair_phase(strategy), 0,
            trial_statement(key, *strategy), &changed_table(key, *strategy)};
}

// text as a JSON string.
std::string quote_json(const std::string &text)
{
    std::string quoted = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\')
            quoted += std::string("\\") + static_cast<char>(c);
        else if (c < 0x20) {
            const char *hex = "0123456789abcdef";
            quoted += std::string("\\u00") + hex[c >> 4] + hex[c & 15];
        } else
            quoted += static_cast<char>(c);
    }
    return quoted + "\"";
}

// Rows inserted, updated and deleted in this transaction so far, per table
// that references the changed table (transitively) and the table itself,
// each summed over its leaf partitions.
using TableCounts = std::map<std::string, std::array<std::int64_t, 3>>;

TableCounts change_counts(Oid changed)
{
    TableCounts counts;
    for (const TextRow &row : query_text_rows_now(
             "WITH RECURSIVE t(oid) AS (SELECT " + std::to_string(changed) +
             "::pg_catalog.oid UNION SELECT c.conrelid FROM pg_catalog.pg_constraint c JOIN t ON "
             "c.confrelid OPERATOR(pg_catalog.=) t.oid WHERE c.contype = 'f') "
             "SELECT t.oid::pg_catalog.regclass::pg_catalog.text, "
             "pg_catalog.sum(pg_catalog.pg_stat_get_xact_tuples_inserted(l.relid)), "
             "pg_catalog.sum(pg_catalog.pg_stat_get_xact_tuples_updated(l.relid)), "
             "pg_catalog.sum(pg_catalog.pg_stat_get_xact_tuples_deleted(l.relid)) "
             "FROM t JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) t.oid "
             "CROSS JOIN LATERAL (SELECT p.relid FROM pg_catalog.pg_partition_tree(t.oid) p "
             "WHERE p.isleaf UNION SELECT t.oid WHERE r.relkind = 'r') l GROUP BY t.oid")) {
        auto &entry = counts[*row.at(0)];
        for (int i = 0; i < 3; ++i)
            entry[i] = std::stoll(row.at(i + 1).value_or("0"));
    }
    return counts;
}

// What the statement would change beyond the rows it repairs, before
// anything runs: it runs, as the owner of the table it changes, with
// constraints immediate, in a subtransaction that is rolled back, and the
// transaction's own row counters of every table that references that
// table (transitively) are compared before and after. {"deleted":
// {"s.t": n}, "updated": {...}, "inserted": {...}}, or {"fails": message,
// "blocked_by": {"s.t": n}} with the rows whose NO ACTION or RESTRICT keys
// stop it. Nothing in a read-only transaction.
std::optional<std::string> preview(const RepairRow &row, const std::string &strategy)
{
    if (!row.changed || row.bare_statement.empty() || !may_try_statements())
        return std::nullopt;
    TableCounts before = change_counts(row.changed->oid), after;
    std::string changed_name = quote_qualified(row.changed->name);
    std::optional<std::string> error = try_and_roll_back([&] {
        execute_statement("SET CONSTRAINTS ALL IMMEDIATE");
        // As the statement will run under SET ROLE: policies apply (the
        // quarantine table's let the owner write its own rows).
        with_settings({{"row_security", "on"}}, [&] {
            run_as_owner(row.changed->owner, [&] { (void) execute_statement(row.bare_statement); });
        });
        after = change_counts(row.changed->oid);
    });
    const char *kinds[3] = {"inserted", "updated", "deleted"};
    // The repair's own rows: the orphans deleted or updated, the parents inserted.
    int own = strategy == "insert_parent" ? 0
              : (strategy == "set_null" || strategy == "set_default") ? 1 : 2;
    if (error) {
        std::string blocked;
        for (const ForeignKey *dependant : quarantine_context->cascading_keys(row.key->child.oid)) {
            if (dependant->on_delete == Action::Cascade || own != 2)
                continue;
            // As the dependant key's checker, which may fail (it may not
            // read the orphans' table): then the count is unknown (null).
            std::int64_t count = 0;
            std::optional<std::string> failed = run_in_subtransaction([&] {
                run_as_key_checker(*dependant, [&] {
                    count = count_of("SELECT pg_catalog.count(*) FROM " +
                                     relation_scan(dependant->child) +
                                     " c WHERE EXISTS (SELECT FROM " +
                                     relation_scan(row.key->child) + " fk WHERE " +
                                     orphan_condition(*row.key) + " AND " +
                                     key_equality(*dependant, "fk", "c") + ")");
                });
            });
            if (failed || count > 0)
                blocked += std::string(blocked.empty() ? "" : ", ") +
                           quote_json(quote_qualified(dependant->child.name)) + ": " +
                           (failed ? std::string("null") : std::to_string(count));
        }
        return "{\"fails\": " + quote_json(*error) +
               (blocked.empty() ? "" : ", \"blocked_by\": {" + blocked + "}") + "}";
    }
    std::string json;
    for (int kind = 0; kind < 3; ++kind) {
        std::string entries;
        for (const auto &[table, counts] : after) {
            std::int64_t change = counts[kind] - before[table][kind];
            if (table == changed_name && kind == own)
                change -= row.rows_affected.value_or(0);
            if (change != 0)
                entries += std::string(entries.empty() ? "" : ", ") + quote_json(table) + ": " +
                           std::to_string(change);
        }
        if (!entries.empty())
            json += std::string(json.empty() ? "" : ", ") + "\"" + kinds[kind] + "\": {" + entries + "}";
    }
    return "{" + json + "}";
}

void put_repair(const RowSink &sink, const RepairRow &row)
{
    Datum values[kColumnCount];
    bool nulls[kColumnCount] = {};
    values[kConstraintName] = name_datum(row.key->name.c_str());
    values[kChildTable] = ObjectIdGetDatum(row.key->child.oid);
    values[kStep] = text_datum(row.step);
    values[kStrategy] = row.strategy.empty() ? 0 : text_datum(row.strategy.c_str());
    nulls[kStrategy] = row.strategy.empty();
    values[kStatement] = row.statement ? text_datum(row.statement->c_str()) : 0;
    nulls[kStatement] = !row.statement;
    values[kRowsAffected] = row.rows_affected ? Int64GetDatum(*row.rows_affected) : 0;
    nulls[kRowsAffected] = !row.rows_affected;
    values[kNote] = text_datum(row.note.c_str());
    values[kSideEffects] = row.side_effects ? jsonb_datum(row.side_effects->c_str()) : 0;
    nulls[kSideEffects] = !row.side_effects;
    put_row(sink, values, nulls);
}

// A VALIDATE that would fail because a person has yet to repair the key's
// orphans has no statement (\gexec skips it; a failing one would abort a
// transaction around the repairs): the note gives it for later.
RepairRow follow_up_row(const ForeignKey &key, const FollowUp &follow_up, bool left_to_a_person)
{
    if (follow_up.phase == Phase::Validate && left_to_a_person)
        return {&key, follow_up.kind, "", std::nullopt, std::nullopt,
                "once the orphans are repaired by hand, run: " + follow_up.statement,
                follow_up.phase, 0};
    return {&key, follow_up.kind, "", follow_up.statement, std::nullopt, follow_up.note,
            follow_up.phase, 0};
}

Datum fk_repairs_body(FunctionCallInfo fcinfo)
{
    std::optional<std::string> strategy_argument = text_argument(fcinfo, 1);
    std::optional<Strategy> requested;
    if (strategy_argument)
        requested = strategy_from_name(*strategy_argument);

    KeyFunctionCall call(fcinfo, oid_argument(fcinfo, 0), KeyUse::ReadTables);
    QuarantineContext quarantine;
    quarantine_context = &quarantine;
    std::map<Oid, int> depths = reference_depths(call.keys);
    std::vector<RepairRow> rows;
    for (const ForeignKey &key : call.keys) {
        check_for_interrupts();
        if (!may_check(key, call.table.has_value()))
            continue;
        std::int64_t orphans = count_orphans(key);
        bool left_to_a_person = false;
        if (orphans > 0) {
            rows.push_back(chosen_repair(key, orphans, requested, call.table.has_value()));
            rows.back().depth = depths[key.child.oid];
            left_to_a_person = !rows.back().statement;
        }
        for (const FollowUp &follow_up : follow_ups(key))
            rows.push_back(follow_up_row(key, follow_up, left_to_a_person));
    }
    // In phase order (see Phase); deletes of the most deeply referencing
    // tables first; otherwise the catalog order (child table, then key name).
    std::stable_sort(rows.begin(), rows.end(), [](const RepairRow &a, const RepairRow &b) {
        if (a.phase != b.phase)
            return a.phase < b.phase;
        return a.phase == Phase::Delete && a.depth > b.depth;
    });
    for (RepairRow &row : rows)
        if (row.statement && !row.strategy.empty())
            row.side_effects = preview(row, row.strategy);
    for (const RepairRow &row : rows)
        put_repair(call.sink, row);
    quarantine_context = nullptr;
    return (Datum) 0;
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_repairs, fkd::fk_repairs_body)
