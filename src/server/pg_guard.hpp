// The boundary between C++ and PostgreSQL, in both directions.
//
// PostgreSQL reports errors with longjmp, which would skip C++ destructors;
// C++ reports them with exceptions, which PostgreSQL cannot catch. So:
//  - every PostgreSQL call made while C++ objects are alive goes through
//    pg_call(), which turns a PostgreSQL error into a PgError exception;
//  - every function PostgreSQL calls goes through entry_point(), which turns
//    any C++ exception back into a PostgreSQL error once the C++ frames are gone.
//
// The callable given to pg_call() must hold only plain data: no object with a
// destructor may be created inside it, because a longjmp would skip it.
#pragma once

#include <exception>
#include <type_traits>

extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"
}

namespace fkd {

// A PostgreSQL error caught by pg_call(), kept whole so it can be re-raised
// with its SQLSTATE, detail and context.
class PgError : public std::exception {
public:
    explicit PgError(ErrorData *data) : data_(data) {}
    const char *what() const noexcept override;
    ErrorData *data() const { return data_; }

private:
    ErrorData *data_;  // palloc'd in the caller's memory context
};

[[noreturn]] void throw_pg_error(MemoryContext caller_context);

template <typename Func>
auto pg_call(Func &&func) -> decltype(func())
{
    using Result = decltype(func());
    MemoryContext caller_context = CurrentMemoryContext;
    volatile bool failed = false;
    if constexpr (std::is_void_v<Result>) {
        PG_TRY();
        {
            func();
        }
        PG_CATCH();
        {
            failed = true;
        }
        PG_END_TRY();
        if (failed)
            throw_pg_error(caller_context);
    } else {
        static_assert(std::is_trivially_copyable_v<Result>,
                      "pg_call returns plain data only");
        Result result{};
        PG_TRY();
        {
            result = func();
        }
        PG_CATCH();
        {
            failed = true;
        }
        PG_END_TRY();
        if (failed)
            throw_pg_error(caller_context);
        return result;
    }
}

// CHECK_FOR_INTERRUPTS() raises on cancel or statement_timeout: call it here.
void check_for_interrupts();

using EntryBody = Datum (*)(FunctionCallInfo);

// Runs body; any exception it throws becomes a PostgreSQL error raised after
// every C++ frame of body has unwound.
Datum entry_point(FunctionCallInfo fcinfo, EntryBody body);

}  // namespace fkd

// Defines the C function `name` that PostgreSQL calls for a SQL function:
// all it does is run body under entry_point().
#define FKD_SQL_FUNCTION(name, body)                   \
    extern "C" {                                       \
    PG_FUNCTION_INFO_V1(name);                         \
    Datum name(PG_FUNCTION_ARGS)                       \
    {                                                  \
        return fkd::entry_point(fcinfo, body);         \
    }                                                  \
    }
