#include "server/key_function_call.hpp"

#include "server/access_checks.hpp"

namespace fkd {

KeyFunctionCall::KeyFunctionCall(FunctionCallInfo fcinfo, std::optional<Oid> table, KeyUse use,
                                 Returns returns)
    : table(table),
      sink(prepare(fcinfo, table, returns))
{
    load_foreign_keys(table, use, keys);
}

RowSink KeyFunctionCall::prepare(FunctionCallInfo fcinfo, std::optional<Oid> table,
                                 Returns returns)
{
    RowSink sink = returns == Returns::Rows ? begin_result_set(fcinfo) : RowSink{};
    if (table)
        require_select_privilege(*table);
    return sink;
}

}  // namespace fkd
