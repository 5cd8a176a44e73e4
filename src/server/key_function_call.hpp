// The set-up every fkdoctor function over foreign keys shares: its result
// set, the privilege check on a named table, the query settings, an SPI
// connection, and the keys of that table (or of the whole database) loaded
// from the catalogs.
#pragma once

#include <optional>

#include "server/catalog_reader.hpp"
#include "server/result_set.hpp"
#include "server/spi_executor.hpp"

namespace fkd {

// Whether the function returns rows (a set) or nothing.
enum class Returns { Rows, Nothing };

class KeyFunctionCall {
public:
    // table: the function's regclass argument, if given.
    KeyFunctionCall(FunctionCallInfo fcinfo, std::optional<Oid> table, KeyUse use,
                    Returns returns = Returns::Rows);

    const std::optional<Oid> table;
    const RowSink sink;

private:
    static RowSink prepare(FunctionCallInfo fcinfo, std::optional<Oid> table, Returns returns);
    QuerySandbox sandbox_;
    SpiConnection connection_;

public:
    KeyList keys;
};

}  // namespace fkd
