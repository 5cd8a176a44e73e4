#include "server/key_function_call.hpp"

#include "server/access_checks.hpp"

namespace fkd {

KeyFunctionCall::KeyFunctionCall(FunctionCallInfo fcinfo, std::optional<Oid> table,
                                 bool returns_rows)
    : table(table),
      sink(prepare(fcinfo, table, returns_rows)),
      keys(PallocAllocator<ForeignKey>(CurrentMemoryContext))
{
    load_foreign_keys(table, keys);
}

RowSink KeyFunctionCall::prepare(FunctionCallInfo fcinfo, std::optional<Oid> table,
                                 bool returns_rows)
{
    RowSink sink = returns_rows ? begin_result_set(fcinfo) : RowSink{};
    if (table)
        require_select_privilege(*table);
    return sink;
}

}  // namespace fkd
