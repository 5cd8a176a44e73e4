// Set-returning functions in materialize mode: the rows go into a tuplestore
// that PostgreSQL reads after the call, spilling to disk past work_mem.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/spi_executor.hpp"

namespace fkd {

// Sets fcinfo up to return a materialized set with the function's declared
// row type, and returns where to put the rows.
RowSink begin_result_set(FunctionCallInfo fcinfo);

void put_row(const RowSink &sink, const Datum *values, const bool *nulls);

// Values for a row.
Datum name_datum(const char *name);
Datum text_datum(const char *text);

// Arguments; NULL is "not given".
std::optional<Oid> oid_argument(FunctionCallInfo fcinfo, int n);
std::optional<std::int64_t> int64_argument(FunctionCallInfo fcinfo, int n);

// A jsonb value from its text.
Datum jsonb_datum(const char *text);
std::optional<std::string> text_argument(FunctionCallInfo fcinfo, int n);

}  // namespace fkd
