// fk_orphans(rel regclass DEFAULT NULL, max_rows bigint DEFAULT NULL):
// one row per child row that PostgreSQL's RI check would reject.
#include "core/errors.hpp"
#include "server/access_checks.hpp"
#include "server/key_function_call.hpp"
#include "server/orphan_check.hpp"

namespace fkd {
namespace {

Datum fk_orphans_body(FunctionCallInfo fcinfo)
{
    std::optional<Oid> table = oid_argument(fcinfo, 0);
    std::optional<std::int64_t> max_rows = int64_argument(fcinfo, 1);
    if (max_rows && *max_rows < 1)
        throw Error(kInvalidParameterValue, "max_rows must be at least 1");

    KeyFunctionCall call(fcinfo, table, KeyUse::ReadTables);
    std::optional<std::int64_t> rows_left = max_rows;
    for (const ForeignKey &key : call.keys) {
        check_for_interrupts();
        if (!may_check(key, table.has_value()))
            continue;
        std::uint64_t found = put_orphan_rows(key, rows_left, call.sink);
        if (rows_left) {
            *rows_left -= static_cast<std::int64_t>(found);
            if (*rows_left <= 0)
                break;
        }
    }
    return (Datum) 0;
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_orphans, fkd::fk_orphans_body)
