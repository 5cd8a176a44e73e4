// The boundary between C++ and PostgreSQL, in both directions.
//
// PostgreSQL reports errors with longjmp, which would skip C++ destructors;
// C++ reports them with exceptions, which PostgreSQL cannot catch. So:
//  - every PostgreSQL call made while C++ objects are alive goes through
//    pg_call(), which turns a PostgreSQL error into a PgError exception;
//  - every function PostgreSQL calls goes through entry_point(), which turns
//    any C++ exception back into a PostgreSQL error once the C++ frames are gone.
//
// The callable given to pg_call() runs inside PG_TRY, so it must be declared
// noexcept (the compiler checks the declaration: a throw from it would leave
// PostgreSQL's exception stack pointing into a dead frame) and create no
// object with a destructor that a longjmp could skip. C++ code that
// PostgreSQL calls back from inside a pg_call() (a DestReceiver's row
// visitor) is noexcept too, and makes its own PostgreSQL calls through
// pg_call(), so no longjmp ever crosses its frames.
//
// On the error path fkdoctor does not clean up after PostgreSQL: SPI
// connections, GUC nest levels, the user id and executor state are undone
// by the (sub)transaction abort that follows, as in PostgreSQL's own C code.
#pragma once

#include <exception>
#include <memory>
#include <type_traits>

extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"
}

namespace fkd {

// A PostgreSQL error caught by pg_call(), kept whole so it can be re-raised
// with its SQLSTATE, detail and context. Its data lives in a memory context
// of its own, under the context the SQL function was called in, so that it
// outlives SPI's and the executor's contexts while the C++ stack unwinds.
class PgError : public std::exception {
public:
    struct Box;
    explicit PgError(std::shared_ptr<Box> box) : box_(std::move(box)) {}
    const char *what() const noexcept override;
    const ErrorData *data() const noexcept;
    int sqlerrcode() const noexcept;
    // Raised by PostgreSQL's own interrupt handling: a query cancel, a
    // statement or lock timeout, not an error that only carries its code.
    bool is_interrupt() const noexcept;
    // Gives the data to the caller, for ReThrowError: the box is then freed
    // with the calling context, not with this exception.
    ErrorData *release() const noexcept;

private:
    std::shared_ptr<Box> box_;
};

[[noreturn]] void throw_pg_error(MemoryContext caller_context);

template <typename Func>
auto pg_call(Func &&func) -> decltype(func())
{
    static_assert(std::is_nothrow_invocable_v<Func &>,
                  "pg_call runs its callable inside PG_TRY: declare it noexcept");
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
