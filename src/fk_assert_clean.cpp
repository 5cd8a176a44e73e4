// fk_assert_clean(rel regclass DEFAULT NULL): error 23503, in PostgreSQL's
// own words, when any key has orphans; nothing otherwise. For test suites,
// CI pipelines and migration scripts that must stop on broken data.
#include "access_checks.hpp"
#include "errors.hpp"
#include "key_function_call.hpp"
#include "sql_generator.hpp"

namespace fkd {
namespace {

struct Violation {
    const ForeignKey *key = nullptr;
    TextRow sample;  // the first orphan's key values, as text
};

std::string key_values_detail(const Violation &violation)
{
    const ForeignKey &key = *violation.key;
    bool partly_null = false;
    std::string columns, values;
    for (size_t i = 0; i < key.columns.size(); ++i) {
        const TextValue &value = violation.sample.at(i);
        partly_null = partly_null || !value;
        columns += (i ? ", " : "") + key.columns[i].child_column;
        values += (i ? ", " : "") + value.value_or("null");
    }
    if (partly_null && key.match == MatchType::Full)
        return "MATCH FULL does not allow mixing of null and nonnull key values.";
    return "Key (" + columns + ")=(" + values + ") is not present in table \"" +
           key.parent.name.name + "\".";
}

[[noreturn]] void raise_violation(const Violation &violation, std::int64_t orphans)
{
    const ForeignKey &key = *violation.key;
    std::string message = "insert or update on table \"" + key.child.name.name +
                          "\" violates foreign key constraint \"" + key.name + "\"";
    std::string detail = key_values_detail(violation) + " " + std::to_string(orphans) +
                         (orphans == 1 ? " orphan row" : " orphan rows") +
                         " in all; fk_orphans() lists them.";
    const char *m = message.c_str(), *d = detail.c_str();
    const char *schema = key.child.name.schema.c_str(), *table = key.child.name.name.c_str(),
               *constraint = key.name.c_str();
    pg_call([=] {
        ereport(ERROR, (errcode(ERRCODE_FOREIGN_KEY_VIOLATION), errmsg("%s", m),
                        errdetail("%s", d),
                        err_generic_string(PG_DIAG_SCHEMA_NAME, schema),
                        err_generic_string(PG_DIAG_TABLE_NAME, table),
                        err_generic_string(PG_DIAG_CONSTRAINT_NAME, constraint)));
    });
    throw Error(kInternalError, "unreachable");
}

Datum fk_assert_clean_body(FunctionCallInfo fcinfo)
{
    KeyFunctionCall call(fcinfo, oid_argument(fcinfo, 0), false);
    Violation first;
    std::int64_t orphans = 0;
    for (const ForeignKey &key : call.keys) {
        check_for_interrupts();
        if (!may_check(key, call.table.has_value()))
            continue;
        std::vector<TextRow> sample = query_text_rows(orphan_sample_query(key));
        if (sample.empty())
            continue;
        if (!first.key)
            first = {&key, sample.front()};
        orphans += std::stoll(query_value(orphan_count_query(key)).value_or("0"));
    }
    if (first.key)
        raise_violation(first, orphans);
    PG_RETURN_VOID();
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_assert_clean, fkd::fk_assert_clean_body)
