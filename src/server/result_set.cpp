#include "server/result_set.hpp"

extern "C" {
#include "utils/jsonb.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
}

namespace fkd {

RowSink begin_result_set(FunctionCallInfo fcinfo)
{
    return pg_call([fcinfo]() noexcept {
        auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
        if (rsinfo == nullptr || !IsA(rsinfo, ReturnSetInfo) ||
            (rsinfo->allowedModes & SFRM_Materialize) == 0)
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("set-valued function called in context that cannot accept a set")));
        RowSink sink;
        sink.context = rsinfo->econtext->ecxt_per_query_memory;
        MemoryContext previous = MemoryContextSwitchTo(sink.context);
        TupleDesc descriptor;
        if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
            elog(ERROR, "return type must be a row type");
        sink.descriptor = CreateTupleDescCopy(descriptor);
        sink.store = tuplestore_begin_heap(true, false, work_mem);
        MemoryContextSwitchTo(previous);
        rsinfo->returnMode = SFRM_Materialize;
        rsinfo->setResult = sink.store;
        rsinfo->setDesc = sink.descriptor;
        return sink;
    });
}

void put_row(const RowSink &sink, const Datum *values, const bool *nulls)
{
    pg_call([&]() noexcept {
        tuplestore_putvalues(sink.store, sink.descriptor, const_cast<Datum *>(values),
                             const_cast<bool *>(nulls));
    });
}

Datum name_datum(const char *name)
{
    return pg_call([name]() noexcept { return DirectFunctionCall1(namein, CStringGetDatum(name)); });
}

Datum text_datum(const char *text)
{
    return pg_call([text]() noexcept { return PointerGetDatum(cstring_to_text(text)); });
}

Datum jsonb_datum(const char *text)
{
    return pg_call([text]() noexcept {
        return DirectFunctionCall1(jsonb_in, CStringGetDatum(text));
    });
}

std::optional<Oid> oid_argument(FunctionCallInfo fcinfo, int n)
{
    if (PG_NARGS() <= n || PG_ARGISNULL(n))
        return std::nullopt;
    return PG_GETARG_OID(n);
}

std::optional<std::string> text_argument(FunctionCallInfo fcinfo, int n)
{
    if (PG_NARGS() <= n || PG_ARGISNULL(n))
        return std::nullopt;
    Datum value = PG_GETARG_DATUM(n);
    const char *string = pg_call([value]() noexcept { return text_to_cstring(DatumGetTextPP(value)); });
    return std::string(string);
}

std::optional<std::int64_t> int64_argument(FunctionCallInfo fcinfo, int n)
{
    if (PG_NARGS() <= n || PG_ARGISNULL(n))
        return std::nullopt;
    return PG_GETARG_INT64(n);
}

}  // namespace fkd
