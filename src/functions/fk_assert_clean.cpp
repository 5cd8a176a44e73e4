// fk_assert_clean(rel regclass DEFAULT NULL, max_orphans bigint DEFAULT 0):
// error 23503, in PostgreSQL's own words, when the keys have more than
// max_orphans orphan rows in all; nothing otherwise (a NOTICE when some
// orphans are tolerated). For test suites, CI pipelines and migration
// scripts that must stop on broken data, or on data that got worse.
#include "core/errors.hpp"
#include "core/sql_generator.hpp"
#include "core/sql_quoting.hpp"
#include "server/access_checks.hpp"
#include "server/key_function_call.hpp"
#include "server/orphan_check.hpp"

namespace fkd {
namespace {

// The orphans found: the first key with any and one of its orphans' key
// values, and how many orphans there are, of that key and of the others.
struct Violations {
    const ForeignKey *key = nullptr;
    TextRow sample;  // the key values as text, NULL as no value
    std::int64_t of_key = 0;
    std::int64_t of_other_keys = 0;
    int other_keys = 0;

    std::int64_t total() const { return of_key + of_other_keys; }

    void add(const ForeignKey &checked, std::int64_t orphans, TextRow values)
    {
        if (orphans == 0)
            return;
        if (!key) {
            key = &checked;
            sample = std::move(values);
            of_key = orphans;
        } else {
            of_other_keys += orphans;
            ++other_keys;
        }
    }
};

// "1 orphan row", "2 more orphan rows".
std::string orphan_rows(std::int64_t count, const char *more = "")
{
    return std::to_string(count) + more + (count == 1 ? " orphan row" : " orphan rows");
}

// PostgreSQL's sentence (ri_ReportViolation, or RI_Initial_Check for a
// partly NULL MATCH FULL key): names unquoted, NULL as "null".
std::string postgres_detail(const ForeignKey &key, const TextRow &sample)
{
    bool partly_null = false;
    std::vector<std::string> columns, values;
    for (size_t i = 0; i < key.columns.size(); ++i) {
        const TextValue &value = sample.at(i);
        partly_null = partly_null || !value;
        columns.push_back(key.columns[i].child_column);
        values.push_back(value.value_or("null"));
    }
    if (partly_null && key.match == MatchType::Full)
        return "MATCH FULL does not allow mixing of null and nonnull key values.";
    return "Key (" + join_list(columns, ", ") + ")=(" + join_list(values, ", ") +
           ") is not present in table \"" + key.parent.name.name + "\".";
}

// "2 more orphan rows (1 of this key, 1 of 1 other key); fk_orphans() lists them."
std::string further_orphans(const Violations &found)
{
    std::int64_t more = found.of_key - 1 + found.of_other_keys;
    if (more == 0)
        return "It is the only orphan row.";
    std::string text = orphan_rows(more, " more");
    if (found.other_keys > 0)
        text += " (" + std::to_string(found.of_key - 1) + " of this key, " +
                std::to_string(found.of_other_keys) + " of " + std::to_string(found.other_keys) +
                (found.other_keys == 1 ? " other key)" : " other keys)");
    return text + "; fk_orphans() lists them.";
}

// "3 orphan rows in all (2 of this key, 1 of 1 other key), more than
// max_orphans (2); fk_orphans() lists them."
std::string over_threshold(const Violations &found, std::int64_t max_orphans)
{
    std::string text = orphan_rows(found.total()) + " in all";
    if (found.other_keys > 0)
        text += " (" + std::to_string(found.of_key) + " of this key, " +
                std::to_string(found.of_other_keys) + " of " + std::to_string(found.other_keys) +
                (found.other_keys == 1 ? " other key)" : " other keys)");
    return text + ", more than max_orphans (" + std::to_string(max_orphans) +
           "); fk_orphans() lists them.";
}

[[noreturn]] void raise_violation(const Violations &found, std::int64_t max_orphans)
{
    const ForeignKey &key = *found.key;
    throw Error(kForeignKeyViolation,
                "insert or update on table \"" + key.child.name.name +
                    "\" violates foreign key constraint \"" + key.name + "\"",
                postgres_detail(key, found.sample) + " " +
                    (max_orphans == 0 ? further_orphans(found)
                                      : over_threshold(found, max_orphans)),
                "", {key.child.name.schema, key.child.name.name, key.name});
}

// Orphans within the threshold: said, so that a log shows the trend.
void report_tolerated(const Violations &found, std::int64_t max_orphans)
{
    std::string message = orphan_rows(found.total()) + ", within max_orphans (" +
                          std::to_string(max_orphans) + ")";
    const char *m = message.c_str();
    pg_call([m]() noexcept { ereport(NOTICE, (errmsg("%s", m))); });
}

// The threshold: 0 when the 0.1/0.2 one-argument function calls this code;
// a NULL or negative one is a mistake, not "no limit", so that a pipeline
// whose threshold variable went missing fails rather than passes.
std::int64_t max_orphans_argument(FunctionCallInfo fcinfo)
{
    if (PG_NARGS() < 2)
        return 0;
    std::optional<std::int64_t> max_orphans = int64_argument(fcinfo, 1);
    if (!max_orphans)
        throw Error(kInvalidParameterValue, "max_orphans must not be NULL",
                    "", "Pass 0 to allow no orphan rows.");
    if (*max_orphans < 0)
        throw Error(kInvalidParameterValue, "max_orphans must not be negative",
                    "max_orphans is " + std::to_string(*max_orphans) + ".",
                    "Pass 0 to allow no orphan rows.");
    return *max_orphans;
}

Datum fk_assert_clean_body(FunctionCallInfo fcinfo)
{
    std::int64_t max_orphans = max_orphans_argument(fcinfo);
    KeyFunctionCall call(fcinfo, oid_argument(fcinfo, 0), KeyUse::ReadTables, Returns::Nothing);
    Violations found;
    for (const ForeignKey &key : call.keys) {
        check_for_interrupts();
        if (!may_check(key, call.table.has_value()))
            continue;
        OrphanSample sample = sample_orphans(key);
        found.add(key, sample.orphan_rows, std::move(sample.key_values));
    }
    if (found.key && found.total() > max_orphans)
        raise_violation(found, max_orphans);
    if (found.key)
        report_tolerated(found, max_orphans);
    PG_RETURN_VOID();
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_assert_clean, fkd::fk_assert_clean_body)
