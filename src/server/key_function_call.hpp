// The set-up every set-returning fkdoctor function over foreign keys shares:
// its result set, the privilege check on a named table, an SPI session, and
// the keys of that table (or of the whole database) loaded from the catalogs.
#pragma once

#include <optional>

#include "server/catalog_reader.hpp"
#include "server/result_set.hpp"
#include "server/spi_executor.hpp"

namespace fkd {

class KeyFunctionCall {
public:
    // table: the function's regclass argument, if given. A function that
    // returns no rows (returns_rows false) gets no sink.
    KeyFunctionCall(FunctionCallInfo fcinfo, std::optional<Oid> table, bool returns_rows = true);

    const std::optional<Oid> table;
    const RowSink sink;
    KeyList keys;

private:
    static RowSink prepare(FunctionCallInfo fcinfo, std::optional<Oid> table, bool returns_rows);
    SpiSession session_;
};

}  // namespace fkd
