#include "server/internal_calls.hpp"

#include <cstdint>

#include "core/errors.hpp"
#include "server/varlena.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace fkd {

void refuse_internal_call(const char *detail)
{
    throw Error(kInvalidParameterValue, "invalid call of an fkdoctor check function", detail,
                "These functions are fkdoctor's own: its checks call them.");
}

MemoryContext aggregate_context(FunctionCallInfo fcinfo)
{
    MemoryContext context = nullptr;
    if (AggCheckCallContext(fcinfo, &context) != AGG_CONTEXT_AGGREGATE)
        refuse_internal_call("It runs as an aggregate only, not as a window function.");
    return context;
}

const void *aligned_bytes(Datum argument, std::size_t skip, MemoryContext context,
                          std::size_t &size)
{
    return pg_call([argument, skip, context, &size]() noexcept {
        MemoryContext old = MemoryContextSwitchTo(context);
        bytea *bytes = DatumGetByteaPP(argument);
        size = VARSIZE_ANY_EXHDR(bytes);
        if (size < skip) {
            MemoryContextSwitchTo(old);
            return static_cast<const void *>(nullptr);
        }
        size -= skip;
        char *data = VARDATA_ANY(bytes) + skip;
        if (reinterpret_cast<std::uintptr_t>(data) % alignof(std::uint64_t) != 0)
            data = static_cast<char *>(memcpy(palloc(size), data, size));
        MemoryContextSwitchTo(old);
        return static_cast<const void *>(data);
    });
}

bytea *new_bytea(std::size_t size)
{
    if (size > MaxAllocSize - VARHDRSZ)
        throw Error(kProgramLimitExceeded, "fkdoctor's state of a scan is too large",
                    "It would take more than 1 GB.",
                    "Lower maintenance_work_mem, or set fkdoctor.check_in_memory to off.");
    return pg_call([size]() noexcept {
        auto *result = static_cast<bytea *>(palloc(VARHDRSZ + size));
        SET_VARSIZE(result, VARHDRSZ + size);
        return result;
    });
}

bytea *new_bytea(const void *data, std::size_t size)
{
    bytea *result = new_bytea(size);
    memcpy(VARDATA(result), data, size);
    return result;
}

}  // namespace fkd
