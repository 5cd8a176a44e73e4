#include "server/spi_executor.hpp"

#include <exception>

extern "C" {
#include "executor/spi.h"
#include "executor/tstoreReceiver.h"
#include "tcop/dest.h"
#include "utils/guc.h"
}

#if PG_VERSION_NUM < 140000
#error "fkdoctor needs PostgreSQL 14 or later (SPI_execute_extended)"
#endif

namespace fkd {

namespace {

void set_for_this_call(const char *name, const char *value)
{
    pg_call([&] {
        (void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
                                 true, 0, false);
    });
}

}  // namespace

SpiSession::SpiSession()
{
    guc_nest_level_ = pg_call([] { return NewGUCNestLevel(); });
    set_for_this_call("work_mem", std::to_string(maintenance_work_mem).c_str());
    set_for_this_call("search_path", "pg_catalog, pg_temp");
    set_for_this_call("row_security", "off");
    pg_call([] {
        if (SPI_connect() != SPI_OK_CONNECT)
            elog(ERROR, "SPI_connect failed");
    });
    connected_ = true;
}

SpiSession::~SpiSession()
{
    // Nothing here can usefully fail; if it does, the transaction's abort
    // cleans up SPI and the GUC nest level anyway.
    try {
        if (connected_)
            pg_call([] { SPI_finish(); });
        pg_call([level = guc_nest_level_] { AtEOXact_GUC(true, level); });
    } catch (...) {
    }
}

void with_settings(std::initializer_list<Setting> settings, const std::function<void()> &work)
{
    int level = pg_call([] { return NewGUCNestLevel(); });
    for (const Setting &setting : settings)
        set_for_this_call(setting.first, setting.second);
    work();
    pg_call([level] { AtEOXact_GUC(true, level); });
}

void with_work_mem(int kilobytes, const std::function<void()> &work)
{
    std::string value = std::to_string(kilobytes);
    with_settings({{"work_mem", value.c_str()}}, work);
}

namespace {

std::uint64_t run_query_to(const char *query, DestReceiver *dest)
{
    return pg_call([query, dest] {
        SPIExecuteOptions options = {};
        options.read_only = true;  // the caller's snapshot, for every query of the call
        options.tcount = 0;        // run to completion: a row limit would forbid parallel plans
        options.dest = dest;
        int rc = SPI_execute_extended(query, &options);
        if (rc < 0)
            elog(ERROR, "SPI_execute_extended failed: %s", SPI_result_code_string(rc));
        return static_cast<std::uint64_t>(SPI_processed);
    });
}

// A DestReceiver that hands rows to a RowVisitor. It is C code's callback:
// an exception must not leave it, so it is kept and the query stopped.
struct VisitingReceiver {
    DestReceiver receiver;  // first, so that a DestReceiver * points here
    const RowVisitor *visitor;
    std::exception_ptr failure;
};

bool visit_slot(TupleTableSlot *slot, DestReceiver *dest)
{
    auto *self = reinterpret_cast<VisitingReceiver *>(dest);
    slot_getallattrs(slot);
    try {
        return (*self->visitor)(slot->tts_values, slot->tts_isnull);
    } catch (...) {
        self->failure = std::current_exception();
        return false;
    }
}

void ignore_startup(DestReceiver *, int, TupleDesc) {}
void ignore_event(DestReceiver *) {}

}  // namespace

std::uint64_t run_query_into(const std::string &sql, const RowSink &sink)
{
    DestReceiver *dest = pg_call([&sink] {
        DestReceiver *tuplestore = CreateDestReceiver(DestTuplestore);
        SetTuplestoreDestReceiverParams(tuplestore, sink.store, sink.context, false,
                                        sink.descriptor,
                                        "fkdoctor query returned an unexpected row type");
        return tuplestore;
    });
    std::uint64_t rows = run_query_to(sql.c_str(), dest);
    pg_call([dest] { dest->rDestroy(dest); });
    return rows;
}

std::uint64_t visit_query_rows(const std::string &sql, const RowVisitor &visitor)
{
    VisitingReceiver receiver{{visit_slot, ignore_startup, ignore_event, ignore_event, DestNone},
                              &visitor, nullptr};
    std::uint64_t rows = run_query_to(sql.c_str(), &receiver.receiver);
    if (receiver.failure)
        std::rethrow_exception(receiver.failure);
    return rows;
}

namespace {

TextValue text_value(uint64 row, int column)
{
    const char *value = pg_call([row, column] {
        return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column);
    });
    if (value == nullptr)
        return std::nullopt;
    return std::string(value);
}

}  // namespace

std::vector<TextRow> query_text_rows(const std::string &sql)
{
    const char *query = sql.c_str();
    pg_call([query] {
        int rc = SPI_execute(query, true, 0);
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
    return rows;
}

TextValue query_value(const std::string &sql)
{
    std::vector<TextRow> rows = query_text_rows(sql);
    if (rows.empty() || rows.front().empty())
        return std::nullopt;
    return rows.front().front();
}

}  // namespace fkd
