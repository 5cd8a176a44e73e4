// The checking layer: the one place that decides how a key's orphans are
// found — in memory against its parent's keys (key_check_in_memory.hpp), by
// PostgreSQL's own anti-join (for a key of Citus tables always the way,
// pushed down to the shards), or, for a temporal key (PostgreSQL 18,
// PERIOD), by the insert trigger's coverage test for each child row, never
// in memory nor in a scan shared with other keys — and that runs every query of a check as
// the key's checker, the child table's owner (run_as_owner.hpp). The SQL
// functions ask it their questions; none of them chooses a way itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog_model.hpp"
#include "server/spi_executor.hpp"

namespace fkd {

// How many orphan rows the key has.
std::int64_t count_orphans(const ForeignKey &key);

// How many orphan rows, and one orphan's key columns as their output
// functions write them (NULL stays NULL), the least by byte order; no
// values when there is no orphan.
struct OrphanSample {
    std::int64_t orphan_rows = 0;
    TextRow key_values;
};
OrphanSample sample_orphans(const ForeignKey &key);

// Every orphan row of the key (at most limit) into sink, in fk_orphans'
// columns. Returns the rows put.
std::uint64_t put_orphan_rows(const ForeignKey &key, std::optional<std::int64_t> limit,
                              const RowSink &sink);

// One key's check in an audit: its counts, or why the check failed.
struct KeyAudit {
    std::int64_t orphan_rows = 0;
    std::int64_t missing_keys = 0;  // distinct
    std::optional<std::string> error;
    double elapsed_ms = 0;
};

struct TableAudit {
    std::optional<std::int64_t> rows_checked;  // nothing if counting them failed
    std::vector<KeyAudit> keys;                // one per key, in order
};

// Checks every key of one child table, reading it as few times as it can.
// A key whose check fails (an error in its operator, a cast that raises)
// gets its message; the others are checked all the same. A real cancel or
// timeout ends the call.
TableAudit audit_table(const std::vector<const ForeignKey *> &keys);

}  // namespace fkd
