// Checking foreign keys by value in memory: each parent's keys read into a
// set (core/key_set.hpp), then one plain scan of the child for all of a
// table's keys, each row's keys looked up there, instead of one hash
// anti-join per key. The scan is a query PostgreSQL may run in parallel:
// the sets go to its workers as a parameter (parallel_key_check.hpp). Only for keys whose values compare as plain numbers or
// bytes, so that the answer is exactly PostgreSQL's. Only the checking
// layer (orphan_check.hpp) calls this; it runs these queries as the key's
// checker.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/catalog_model.hpp"
#include "server/orphan_spool.hpp"

namespace fkd {

// True for a key this can check: one column, or two under MATCH SIMPLE;
// each smallint, integer or bigint on both sides (any mix), or a lone uuid
// column; compared by pg_catalog's =. Never with fkdoctor.check_in_memory
// off, nor when the extension's SQL objects predate 0.4 (its functions for
// the scan are missing).
bool can_check_in_memory(const ForeignKey &key);

struct KeyCounts {
    std::int64_t orphan_rows = 0;
    // Nothing if the distinct missing keys did not fit in memory.
    std::optional<std::int64_t> missing_keys;
    double elapsed_ms = 0;  // reading its parent's keys, and the shared scan
};

struct MemoryScanResult {
    // The child's rows; nothing if no key's parent fitted, so no scan ran.
    std::optional<std::int64_t> rows_checked;
    // One per key, in order; nothing for a key whose parent's keys did not
    // fit in memory (it was not checked).
    std::vector<std::optional<KeyCounts>> keys;
};

// keys: keys of one child table, each can_check_in_memory(). Their parents'
// keys together use at most maintenance_work_mem (what PostgreSQL's own
// check gives its hash join), and the distinct missing keys share what is
// left. Every query runs under the caller's snapshot.
MemoryScanResult scan_keys_in_memory(const std::vector<const ForeignKey *> &keys);

// One scan of the child finds where the key's orphan rows are (at most limit
// of them) and adds them to spool. False, with the spool to be thrown away,
// if the parent's keys do not fit in maintenance_work_mem or the orphans
// pass a quarter of the child's estimated rows (the anti-join is faster
// then).
bool spool_orphans_in_memory(const ForeignKey &key, std::optional<std::int64_t> limit,
                             OrphanSpool &spool);

}  // namespace fkd
