// fk_lint(rel regclass DEFAULT NULL): foreign-key health from the catalogs
// alone, one row per finding.
#include "server/key_function_call.hpp"
#include "core/lint_checks.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "commands/defrem.h"
}

namespace fkd {
namespace {

enum Column { kCheck, kConstraintName, kChildTable, kParentTable, kSeverity, kDetail, kFix, kColumnCount };

void put_finding(const RowSink &sink, const LintFinding &finding)
{
    Datum values[kColumnCount];
    bool nulls[kColumnCount] = {};
    values[kCheck] = text_datum(finding.check);
    values[kConstraintName] = name_datum(finding.key->name.c_str());
    values[kChildTable] = ObjectIdGetDatum(finding.key->child.oid);
    values[kParentTable] = ObjectIdGetDatum(finding.key->parent.oid);
    values[kSeverity] = text_datum(finding.severity);
    values[kDetail] = text_datum(finding.detail.c_str());
    values[kFix] = finding.fix ? text_datum(finding.fix->c_str()) : 0;
    nulls[kFix] = !finding.fix;
    put_row(sink, values, nulls);
}

// The name CREATE INDEX would pick now, free in the table's schema.
std::string choose_index_name(const QualifiedName &table, const std::string &column_part,
                              const std::string &label)
{
    const char *schema = table.schema.c_str(), *name = table.name.c_str(),
               *columns = column_part.c_str(), *suffix = label.c_str();
    const char *chosen = pg_call([=]() noexcept {
        return static_cast<const char *>(
            ChooseRelationName(name, columns, suffix, get_namespace_oid(schema, false), false));
    });
    return chosen;
}

Datum fk_lint_body(FunctionCallInfo fcinfo)
{
    KeyFunctionCall call(fcinfo, oid_argument(fcinfo, 0), KeyUse::ReadCatalogs);
    std::vector<const ForeignKey *> keys;
    for (const ForeignKey &key : call.keys)
        keys.push_back(&key);
    for (const LintFinding &finding : lint_keys(keys, choose_index_name))
        put_finding(call.sink, finding);
    return (Datum) 0;
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_lint, fkd::fk_lint_body)
