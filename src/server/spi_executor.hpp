// The SPI executor: the one place where fkdoctor runs SQL inside the server.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/pg_guard.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/tuplestore.h"
}

namespace fkd {

// The settings every fkdoctor query runs under, for the life of the object,
// as PostgreSQL's own RI check does: work_mem raised to
// maintenance_work_mem, a search_path that user objects cannot hijack, and
// row_security off so that a policy raises an error instead of silently
// hiding rows (which would look like orphans).
class QuerySandbox {
public:
    QuerySandbox();
    ~QuerySandbox();
    QuerySandbox(const QuerySandbox &) = delete;
    QuerySandbox &operator=(const QuerySandbox &) = delete;

private:
    int guc_nest_level_;
    int exceptions_at_start_;
};

// An SPI connection for the life of the object.
class SpiConnection {
public:
    SpiConnection();
    ~SpiConnection();
    SpiConnection(const SpiConnection &) = delete;
    SpiConnection &operator=(const SpiConnection &) = delete;

private:
    int exceptions_at_start_;
};

// Runs work with each setting (name, value) made, then sets them back. If
// work throws, the (sub)transaction abort that follows sets them back.
using Setting = std::pair<const char *, const char *>;
void with_settings(std::initializer_list<Setting> settings, const std::function<void()> &work);

// Runs work with work_mem set to kilobytes, alike.
void with_work_mem(int kilobytes, const std::function<void()> &work);

// Where a query's rows go: a set-returning function's tuplestore.
struct RowSink {
    Tuplestorestate *store = nullptr;
    TupleDesc descriptor = nullptr;
    MemoryContext context = nullptr;
};

// Runs a read-only query under the caller's snapshot and streams its rows
// into sink, whose descriptor the rows must match. Returns the row count.
// Nothing is held in C++: the tuplestore spills to disk past work_mem.
std::uint64_t run_query_into(const std::string &sql, const RowSink &sink);

// Runs a read-only query under the caller's snapshot and hands each row to
// visitor (values and nulls, one per column), holding none of them, until
// the visitor returns false. The query's columns must have exactly the
// types given (the visitor reads their values as those types): otherwise it
// is an error, raised before any row is visited. The visitor makes its
// PostgreSQL calls through pg_call(); if it throws, the query stops at once
// and the exception is thrown again here. Returns the rows the visitor took
// (before any stop).
// parameters: the values of $1, $2, ... (none NULL). They stay
// parameters (the planner does not fold them into the plan), so a parallel
// plan hands them to its workers as they are.
using RowVisitor = std::function<bool(const Datum *values, const bool *nulls)>;
struct QueryParameter {
    Oid type;
    Datum value;
};
using QueryParameters = std::vector<QueryParameter>;
std::uint64_t visit_query_rows(const std::string &sql, const std::vector<Oid> &column_types,
                               const RowVisitor &visitor, const QueryParameters &parameters = {});

// A small read-only result (catalog queries), every value as text.
using TextValue = std::optional<std::string>;
using TextRow = std::vector<TextValue>;
std::vector<TextRow> query_text_rows(const std::string &sql);

// The same, under a snapshot taken now rather than the caller's: for the
// catalogs, read after the tables they describe are locked.
std::vector<TextRow> query_text_rows_now(const std::string &sql);

// The first column of the first row, or nothing when there is no row.
TextValue query_value(const std::string &sql);

// Runs a statement that changes data (not read-only: it sees what the
// call's earlier statements changed) and returns the rows it processed.
std::uint64_t execute_statement(const std::string &sql);

}  // namespace fkd
