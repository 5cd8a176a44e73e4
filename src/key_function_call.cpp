#include "key_function_call.hpp"

#include "access_checks.hpp"

namespace fkd {

KeyFunctionCall::KeyFunctionCall(FunctionCallInfo fcinfo, std::optional<Oid> table)
    : table(table),
      sink(prepare(fcinfo, table)),
      keys(PallocAllocator<ForeignKey>(CurrentMemoryContext))
{
    load_foreign_keys(table, keys);
}

RowSink KeyFunctionCall::prepare(FunctionCallInfo fcinfo, std::optional<Oid> table)
{
    RowSink sink = begin_result_set(fcinfo);
    if (table)
        require_select_privilege(*table);
    return sink;
}

}  // namespace fkd
