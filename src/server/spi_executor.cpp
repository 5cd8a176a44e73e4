#include "server/spi_executor.hpp"

#include <exception>

#include "core/errors.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tstoreReceiver.h"
#include "tcop/dest.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
}

#if PG_VERSION_NUM < 140000
#error "fkdoctor needs PostgreSQL 14 or later (SPI_execute_extended)"
#endif

namespace fkd {

namespace {

void set_for_this_call(const char *name, const char *value)
{
    pg_call([&]() noexcept {
        (void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                                 true, 0, false);
    });
}

// True while an exception unwinds the object's scope: the error path, where
// the (sub)transaction abort that follows undoes what the object set up.
bool unwinding(int exceptions_at_start)
{
    return std::uncaught_exceptions() > exceptions_at_start;
}

}  // namespace

QuerySandbox::QuerySandbox()
    : guc_nest_level_(pg_call([]() noexcept { return NewGUCNestLevel(); })),
      exceptions_at_start_(std::uncaught_exceptions())
{
    set_for_this_call("work_mem", std::to_string(maintenance_work_mem).c_str());
    set_for_this_call("search_path", "pg_catalog, pg_temp");
    set_for_this_call("row_security", "off");
}

QuerySandbox::~QuerySandbox()
{
    if (unwinding(exceptions_at_start_))
        return;
    // Cannot fail in practice; if it did, the transaction's abort cleans up.
    try {
        pg_call([level = guc_nest_level_]() noexcept { AtEOXact_GUC(true, level); });
    } catch (...) {
    }
}

SpiConnection::SpiConnection() : exceptions_at_start_(std::uncaught_exceptions())
{
    pg_call([]() noexcept {
        if (SPI_connect() != SPI_OK_CONNECT)
            elog(ERROR, "SPI_connect failed");
    });
}

SpiConnection::~SpiConnection()
{
    // On the error path the connection on top of SPI's stack may be another
    // one (a PL/pgSQL function's, left open by the error): leave them all
    // to the abort, which closes each.
    if (unwinding(exceptions_at_start_))
        return;
    try {
        pg_call([]() noexcept { SPI_finish(); });
    } catch (...) {
    }
}

void with_settings(std::initializer_list<Setting> settings, const std::function<void()> &work)
{
    int level = pg_call([]() noexcept { return NewGUCNestLevel(); });
    for (const Setting &setting : settings)
        set_for_this_call(setting.first, setting.second);
    work();
    pg_call([level]() noexcept { AtEOXact_GUC(true, level); });
}

void with_work_mem(int kilobytes, const std::function<void()> &work)
{
    std::string value = std::to_string(kilobytes);
    with_settings({{"work_mem", value.c_str()}}, work);
}

namespace {

std::uint64_t run_query_to(const char *query, DestReceiver *dest,
                           const QueryParameters &parameters = {})
{
    return pg_call([query, dest, &parameters]() noexcept {
        SPIExecuteOptions options = {};
        if (!parameters.empty()) {
            options.params = makeParamList(static_cast<int>(parameters.size()));
            for (std::size_t n = 0; n < parameters.size(); ++n)
                options.params->params[n] = {parameters[n].value, false, 0, parameters[n].type};
        }
        options.read_only = true;  // the caller's snapshot, for every query of the call
        options.tcount = 0;        // run to completion: a row limit would forbid parallel plans
        options.dest = dest;
        int rc = SPI_execute_extended(query, &options);
        if (rc < 0)
            elog(ERROR, "SPI_execute_extended failed: %s", SPI_result_code_string(rc));
        return static_cast<std::uint64_t>(SPI_processed);
    });
}

// A DestReceiver that hands rows to a RowVisitor. PostgreSQL calls it from
// inside the executor: nothing may be thrown out of it, so an exception is
// kept and the query stopped.
struct VisitingReceiver {
    DestReceiver receiver;  // first, so that a DestReceiver * points here
    const RowVisitor *visitor;
    const std::vector<Oid> *column_types;
    std::exception_ptr failure;
};

// Checks the query's row type against the one the visitor reads.
void check_columns(DestReceiver *dest, int, TupleDesc descriptor) noexcept
{
    auto *self = reinterpret_cast<VisitingReceiver *>(dest);
    const std::vector<Oid> &expected = *self->column_types;
    bool same = descriptor->natts == static_cast<int>(expected.size());
    for (int n = 0; same && n < descriptor->natts; ++n)
        same = TupleDescAttr(descriptor, n)->atttypid == expected[n];
    if (!same)
        self->failure = std::make_exception_ptr(Error(
            kInternalError, "the columns of a table changed while fkdoctor read them",
            "A query returned other column types than the catalogs gave for the key.",
            "Run the check again."));
}

bool visit_slot(TupleTableSlot *slot, DestReceiver *dest) noexcept
{
    auto *self = reinterpret_cast<VisitingReceiver *>(dest);
    if (self->failure)
        return false;
    try {
        pg_call([slot]() noexcept { slot_getallattrs(slot); });
        return (*self->visitor)(slot->tts_values, slot->tts_isnull);
    } catch (...) {
        self->failure = std::current_exception();
        return false;
    }
}

void ignore_event(DestReceiver *) noexcept {}

}  // namespace

std::uint64_t run_query_into(const std::string &sql, const RowSink &sink)
{
    DestReceiver *dest = pg_call([&sink]() noexcept {
        DestReceiver *tuplestore = CreateDestReceiver(DestTuplestore);
        SetTuplestoreDestReceiverParams(tuplestore, sink.store, sink.context, false,
                                        sink.descriptor,
                                        "fkdoctor query returned an unexpected row type");
        return tuplestore;
    });
    std::uint64_t rows = run_query_to(sql.c_str(), dest);
    pg_call([dest]() noexcept { dest->rDestroy(dest); });
    return rows;
}

std::uint64_t visit_query_rows(const std::string &sql, const std::vector<Oid> &column_types,
                               const RowVisitor &visitor, const QueryParameters &parameters)
{
    VisitingReceiver receiver{{visit_slot, check_columns, ignore_event, ignore_event, DestNone},
                              &visitor, &column_types, nullptr};
    std::uint64_t rows = run_query_to(sql.c_str(), &receiver.receiver, parameters);
    if (receiver.failure)
        std::rethrow_exception(receiver.failure);
    return rows;
}

namespace {

TextValue text_value(uint64 row, int column)
{
    const char *value = pg_call([row, column]() noexcept {
        return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column);
    });
    if (value == nullptr)
        return std::nullopt;
    return std::string(value);
}

std::vector<TextRow> text_rows(const char *query, bool read_only)
{
    pg_call([query, read_only]() noexcept {
        int rc = SPI_execute(query, read_only, 0);
        if (rc != SPI_OK_SELECT)
            elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
    });
    std::uint64_t row_count = SPI_processed;
    int column_count = SPI_tuptable->tupdesc->natts;
    std::vector<TextRow> rows;
    rows.reserve(row_count);
    for (std::uint64_t row = 0; row < row_count; ++row) {
        TextRow values;
        for (int column = 1; column <= column_count; ++column)
            values.push_back(text_value(row, column));
        rows.push_back(std::move(values));
    }
    pg_call([]() noexcept { SPI_freetuptable(SPI_tuptable); });
    return rows;
}

}  // namespace

std::vector<TextRow> query_text_rows(const std::string &sql)
{
    return text_rows(sql.c_str(), true);
}

std::vector<TextRow> query_text_rows_now(const std::string &sql)
{
    // Not read-only: SPI takes a new snapshot for the query (in READ COMMITTED).
    return text_rows(sql.c_str(), false);
}

TextValue query_value(const std::string &sql)
{
    std::vector<TextRow> rows = query_text_rows(sql);
    if (rows.empty() || rows.front().empty())
        return std::nullopt;
    return rows.front().front();
}

std::uint64_t execute_statement(const std::string &sql)
{
    const char *query = sql.c_str();
    return pg_call([query]() noexcept {
        int rc = SPI_execute(query, false, 0);
        if (rc < 0)
            elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
        return static_cast<std::uint64_t>(SPI_processed);
    });
}

}  // namespace fkd
