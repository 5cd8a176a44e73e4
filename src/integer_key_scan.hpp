// Checking a table's integer foreign keys in one plain scan of the child,
// each row's keys looked up in the parents' keys held in memory (see
// integer_key_set.hpp) instead of one hash anti-join per key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "catalog_model.hpp"
#include "spi_executor.hpp"

namespace fkd {

// True for a key this scan checks exactly as PostgreSQL does: one column,
// smallint, integer or bigint on both sides, compared by pg_catalog's =.
bool is_integer_key(const ForeignKey &key);

struct IntegerKeyCounts {
    std::int64_t orphan_rows = 0;
    // Nothing if the distinct missing keys did not fit in memory.
    std::optional<std::int64_t> missing_keys;
    double elapsed_ms = 0;  // reading its parent's keys, and the shared scan
};

struct IntegerScanResult {
    // The child's rows; nothing if no key's parent fitted, so no scan ran.
    std::optional<std::int64_t> rows_checked;
    // One per key, in order; nothing for a key whose parent's keys did not
    // fit in memory (it was not checked).
    std::vector<std::optional<IntegerKeyCounts>> keys;
};

// keys: integer keys of one child table. Their parents' keys together use
// at most maintenance_work_mem (what PostgreSQL's own check gives its hash
// join), and the distinct missing keys share what is left. Every query runs
// under the caller's snapshot.
IntegerScanResult scan_integer_keys(const std::vector<const ForeignKey *> &keys);

// fk_orphans() for an integer key: one scan of the child finds where its
// orphan rows are (at most limit of them), then they are read by ctid, a
// batch at a time, into sink. Returns the rows put, or nothing (and puts
// none) if the parent's keys do not fit in maintenance_work_mem.
std::optional<std::uint64_t> put_integer_orphans(const ForeignKey &key,
                                                 std::optional<std::int64_t> limit,
                                                 const RowSink &sink);

}  // namespace fkd
