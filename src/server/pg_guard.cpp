#include "server/pg_guard.hpp"

#include <cstring>

#include "core/errors.hpp"

extern "C" {
#include "utils/elog.h"
#include "utils/memutils.h"
}

namespace fkd {

const char *PgError::what() const noexcept
{
    return data_ && data_->message ? data_->message : "PostgreSQL error";
}

void throw_pg_error(MemoryContext caller_context)
{
    // Runs right after PG_END_TRY, still holding the error state.
    MemoryContextSwitchTo(caller_context);
    ErrorData *data = CopyErrorData();
    FlushErrorState();
    throw PgError(data);
}

void check_for_interrupts()
{
    pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

namespace {

// What entry_point() saw, kept in plain data so that nothing in it needs a
// destructor when the error is raised.
struct CaughtError {
    ErrorData *pg_error = nullptr;
    char sqlstate[6] = "XX000";
    char message[1024] = "";
    char detail[1024] = "";
    char hint[1024] = "";
};

void copy_text(char *target, size_t size, const char *source)
{
    snprintf(target, size, "%s", source);
}

void catch_current_exception(CaughtError &caught)
{
    try {
        throw;
    } catch (const PgError &e) {
        caught.pg_error = e.data();
    } catch (const Error &e) {
        copy_text(caught.sqlstate, sizeof caught.sqlstate, e.sqlstate().c_str());
        copy_text(caught.message, sizeof caught.message, e.what());
        copy_text(caught.detail, sizeof caught.detail, e.detail().c_str());
        copy_text(caught.hint, sizeof caught.hint, e.hint().c_str());
    } catch (const std::bad_alloc &) {
        copy_text(caught.sqlstate, sizeof caught.sqlstate, "53200");
        copy_text(caught.message, sizeof caught.message, "out of memory");
    } catch (const std::exception &e) {
        copy_text(caught.message, sizeof caught.message, e.what());
    } catch (...) {
        copy_text(caught.message, sizeof caught.message, "unknown C++ exception");
    }
}

[[noreturn]] void raise(const CaughtError &caught)
{
    if (caught.pg_error)
        ReThrowError(caught.pg_error);
    const char *s = caught.sqlstate;
    ereport(ERROR,
            (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])),
             errmsg("%s", caught.message),
             caught.detail[0] ? errdetail("%s", caught.detail) : 0,
             caught.hint[0] ? errhint("%s", caught.hint) : 0));
    pg_unreachable();
}

}  // namespace

Datum entry_point(FunctionCallInfo fcinfo, EntryBody body)
{
    static CaughtError caught;  // static: no destructor runs on the error path
    try {
        return body(fcinfo);
    } catch (...) {
        caught = CaughtError{};
        catch_current_exception(caught);
    }
    raise(caught);
}

}  // namespace fkd
