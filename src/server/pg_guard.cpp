#include "server/pg_guard.hpp"

#include <cstring>

#include "core/errors.hpp"

extern "C" {
#include "utils/elog.h"
#include "utils/memutils.h"
}

namespace fkd {

struct PgError::Box {
    MemoryContext context = nullptr;
    ErrorData *data = nullptr;
    bool released = false;

    Box(MemoryContext context, ErrorData *data) : context(context), data(data) {}
    ~Box()
    {
        if (!released)
            MemoryContextDelete(context);
    }
    Box(const Box &) = delete;
    Box &operator=(const Box &) = delete;
};

namespace {

// The context the running SQL function was called in: caught errors are
// kept under it, so they outlive every context the call itself creates.
MemoryContext error_parent = nullptr;

struct CopiedError {
    MemoryContext context;
    ErrorData *data;
};

// The error PostgreSQL holds, copied into a context of its own; the error
// state is flushed whether or not the copy worked.
CopiedError copy_current_error() noexcept
{
    MemoryContext caller_context = CurrentMemoryContext;
    MemoryContext parent = error_parent ? error_parent : TopTransactionContext;
    volatile MemoryContext context = nullptr;
    ErrorData *volatile data = nullptr;
    PG_TRY();
    {
        context = AllocSetContextCreate(parent, "fkdoctor caught error", ALLOCSET_SMALL_SIZES);
        MemoryContextSwitchTo(context);
        data = CopyErrorData();
    }
    PG_CATCH();
    {
        data = nullptr;
    }
    PG_END_TRY();
    MemoryContextSwitchTo(caller_context);
    FlushErrorState();
    return {context, data};
}

}  // namespace

const char *PgError::what() const noexcept
{
    return box_->data->message ? box_->data->message : "PostgreSQL error";
}

const ErrorData *PgError::data() const noexcept { return box_->data; }

int PgError::sqlerrcode() const noexcept { return box_->data->sqlerrcode; }

bool PgError::is_interrupt() const noexcept
{
    const char *function = box_->data->funcname;
    return function != nullptr && std::strcmp(function, "ProcessInterrupts") == 0;
}

ErrorData *PgError::release() const noexcept
{
    box_->released = true;
    return box_->data;
}

void throw_pg_error(MemoryContext caller_context)
{
    // Runs right after PG_END_TRY, still holding the error state.
    MemoryContextSwitchTo(caller_context);
    CopiedError copied = copy_current_error();
    if (copied.data == nullptr) {
        if (copied.context != nullptr)
            MemoryContextDelete(copied.context);
        throw std::bad_alloc();
    }
    throw PgError(std::make_shared<PgError::Box>(copied.context, copied.data));
}

void check_for_interrupts()
{
    pg_call([]() noexcept { CHECK_FOR_INTERRUPTS(); });
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
    char schema[NAMEDATALEN] = "";
    char table[NAMEDATALEN] = "";
    char constraint[NAMEDATALEN] = "";
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
        caught.pg_error = e.release();
    } catch (const Error &e) {
        copy_text(caught.sqlstate, sizeof caught.sqlstate, e.sqlstate().c_str());
        copy_text(caught.message, sizeof caught.message, e.what());
        copy_text(caught.detail, sizeof caught.detail, e.detail().c_str());
        copy_text(caught.hint, sizeof caught.hint, e.hint().c_str());
        copy_text(caught.schema, sizeof caught.schema, e.object().schema.c_str());
        copy_text(caught.table, sizeof caught.table, e.object().table.c_str());
        copy_text(caught.constraint, sizeof caught.constraint, e.object().constraint.c_str());
    } catch (const std::bad_alloc &) {
        copy_text(caught.sqlstate, sizeof caught.sqlstate, "53200");
        copy_text(caught.message, sizeof caught.message, "out of memory");
    } catch (const std::exception &e) {
        copy_text(caught.message, sizeof caught.message, "internal error in fkdoctor");
        copy_text(caught.detail, sizeof caught.detail, e.what());
    } catch (...) {
        copy_text(caught.message, sizeof caught.message, "internal error in fkdoctor");
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
             caught.hint[0] ? errhint("%s", caught.hint) : 0,
             caught.schema[0] ? err_generic_string(PG_DIAG_SCHEMA_NAME, caught.schema) : 0,
             caught.table[0] ? err_generic_string(PG_DIAG_TABLE_NAME, caught.table) : 0,
             caught.constraint[0]
                 ? err_generic_string(PG_DIAG_CONSTRAINT_NAME, caught.constraint) : 0));
    pg_unreachable();
}

}  // namespace

Datum entry_point(FunctionCallInfo fcinfo, EntryBody body)
{
    static CaughtError caught;  // static: no destructor runs on the error path
    MemoryContext outer_error_parent = error_parent;
    error_parent = CurrentMemoryContext;
    try {
        Datum result = body(fcinfo);
        error_parent = outer_error_parent;
        return result;
    } catch (...) {
        caught = CaughtError{};
        catch_current_exception(caught);
    }
    error_parent = outer_error_parent;
    raise(caught);
}

}  // namespace fkd
