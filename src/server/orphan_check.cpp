#include "server/orphan_check.hpp"

#include <algorithm>

#include "core/audit_query.hpp"
#include "core/sql_generator.hpp"
#include "core/stopwatch.hpp"
#include "server/key_check_in_memory.hpp"
#include "server/orphan_readback.hpp"
#include "server/run_as_owner.hpp"
#include "server/subtransaction.hpp"

namespace fkd {

namespace {

std::int64_t number(const TextValue &value) { return value ? std::stoll(*value) : 0; }

// Whether the key is checked against its parent's keys in memory. Never a
// temporal key (its orphans are decided by coverage, not by looking up a
// value), nor a key of Citus tables: their rows are in the shards, on the
// workers, and reading them here would pull every row to this node; their
// checks are queries Citus pushes down whole to the shards.
bool checked_in_memory(const ForeignKey &key)
{
    return !key.temporal && !key.is_distributed() && can_check_in_memory(key);
}

// Whether the key can share one outer-join scan of its child with others:
// not a temporal key (overlap is not coverage, and its join multiplies
// rows), not a Citus table's (one scan joining parents of other
// co-locations is not pushed down), and only where the scan counts the
// child's rows exactly.
bool joins_in_one_scan(const ForeignKey &key)
{
    return !key.temporal && !key.is_distributed() && scans_once_exactly(key);
}

// fk_orphans' columns as the function is declared: 0.3 adds child_shard and
// child_node to the six of 0.1 and 0.2 (a library newer than the
// extension's SQL objects still serves them).
OrphanColumns orphan_columns(const RowSink &sink)
{
    return sink.descriptor->natts > 6 ? OrphanColumns::Located : OrphanColumns::Basic;
}

// The key's orphan rows counted in memory, or nothing if it cannot be
// checked that way or its parent's keys do not fit.
std::optional<std::int64_t> count_in_memory(const ForeignKey &key)
{
    if (!checked_in_memory(key))
        return std::nullopt;
    std::optional<KeyCounts> counts = scan_keys_in_memory({&key}).keys.front();
    if (!counts)
        return std::nullopt;
    return counts->orphan_rows;
}

}  // namespace

std::int64_t count_orphans(const ForeignKey &key)
{
    std::int64_t orphans = 0;
    run_as_key_checker(key, [&] {
        std::optional<std::int64_t> counted = count_in_memory(key);
        orphans = counted ? *counted : number(query_value(orphan_count_query(key)));
    });
    return orphans;
}

OrphanSample sample_orphans(const ForeignKey &key)
{
    OrphanSample sample;
    run_as_key_checker(key, [&] {
        // A key checked in memory and found clean needs no second scan.
        if (count_in_memory(key) == std::optional<std::int64_t>(0))
            return;
        TextRow row = query_text_rows(key.is_distributed()
                                          ? distributed_orphan_count_and_sample_query(key)
                                          : orphan_count_and_sample_query(key))
                          .at(0);
        sample.orphan_rows = number(row.at(0));
        if (sample.orphan_rows > 0)
            sample.key_values.assign(row.begin() + 1, row.end());
    });
    return sample;
}

std::uint64_t put_orphan_rows(const ForeignKey &key, std::optional<std::int64_t> limit,
                              const RowSink &sink)
{
    std::uint64_t put = 0;
    OrphanColumns columns = orphan_columns(sink);
    run_as_key_checker(key, [&] {
        if (key.is_distributed()) {
            put = run_query_into(distributed_orphan_rows_query(key, limit, columns), sink);
            return;
        }
        if (checked_in_memory(key)) {
            OrphanSpool spool;
            if (spool_orphans_in_memory(key, limit, spool)) {
                put = put_spooled_orphans(key, spool, sink, columns);
                return;
            }
        }
        put = run_query_into(orphan_rows_query(key, limit, columns), sink);
    });
    return put;
}

namespace {

void record_error(KeyAudit &audit, const std::string &message)
{
    audit.error = message;
}

// The key's own anti-join, in its own subtransaction, so that one bad key
// does not hide the others' results. elapsed_ms: time already spent on it.
void audit_key(const ForeignKey &key, KeyAudit &audit, double elapsed_ms = 0)
{
    TextRow counts;
    Stopwatch watch;
    std::optional<std::string> error = run_in_subtransaction([&] {
        counts = query_text_rows(key_audit_query(key)).at(0);
    });
    audit.elapsed_ms = elapsed_ms + watch.elapsed_ms();
    if (error)
        return record_error(audit, *error);
    audit.orphan_rows = number(counts.at(0));
    audit.missing_keys = number(counts.at(1));
}

// Where each of a table's keys stands in its audit.
struct KeyInAudit {
    const ForeignKey *key;
    KeyAudit *audit;
};
using KeysInAudit = std::vector<KeyInAudit>;

std::vector<const ForeignKey *> keys_of(const KeysInAudit &keys)
{
    std::vector<const ForeignKey *> plain;
    for (const KeyInAudit &entry : keys)
        plain.push_back(entry.key);
    return plain;
}

// The table's rows are counted once (unless already counted), then each
// key is checked alone.
void audit_key_by_key(const KeysInAudit &keys, TableAudit &table)
{
    std::optional<std::string> error;
    if (!table.rows_checked)
        error = run_in_subtransaction([&] {
            table.rows_checked = number(query_value(child_row_count_query(*keys.front().key)));
        });
    for (const KeyInAudit &entry : keys) {
        if (error)
            record_error(*entry.audit, *error);
        else
            audit_key(*entry.key, *entry.audit);
    }
}

bool child_outgrows_cache(const ForeignKey &key)
{
    bool outgrows = false;
    run_in_subtransaction([&] {
        outgrows = query_value(child_outgrows_cache_query(key)) == TextValue("t");
    });
    return outgrows;
}

// One scan of the table for all its keys, whose joins share the memory one
// key's check would have. A key with orphans is then read again by its own
// anti-join, for its distinct missing keys. False if the scan failed: each
// key is then checked alone, so that the failing one is found.
bool audit_in_one_scan(const KeysInAudit &keys, TableAudit &table)
{
    int work_mem_kb = std::max(64, maintenance_work_mem / static_cast<int>(keys.size()));
    TextRow counts;
    Stopwatch watch;
    std::optional<std::string> error = run_in_subtransaction([&] {
        with_work_mem(work_mem_kb,
                      [&] { counts = query_text_rows(table_audit_query(keys_of(keys))).at(0); });
    });
    if (error)
        return false;
    double elapsed_ms = watch.elapsed_ms();
    table.rows_checked = number(counts.at(0));
    for (std::size_t n = 0; n < keys.size(); ++n) {
        if (number(counts.at(1 + n)) > 0) {
            audit_key(*keys[n].key, *keys[n].audit, elapsed_ms);
        } else {
            *keys[n].audit = KeyAudit{};
            keys[n].audit->elapsed_ms = elapsed_ms;
        }
    }
    return true;
}

// The keys checked in memory whose parents' keys fit in
// maintenance_work_mem, in one scan of the table that also counts its rows.
// A key with more distinct missing keys than fit is read again by its own
// anti-join. Returns the keys it did not check (all of them if the scan
// failed, so that each is then tried alone).
KeysInAudit audit_in_memory(const KeysInAudit &keys, TableAudit &table)
{
    MemoryScanResult scan;
    std::optional<std::string> error =
        run_in_subtransaction([&] { scan = scan_keys_in_memory(keys_of(keys)); });
    if (error)
        return keys;
    table.rows_checked = scan.rows_checked;
    KeysInAudit unchecked;
    for (std::size_t n = 0; n < keys.size(); ++n) {
        const std::optional<KeyCounts> &counts = scan.keys[n];
        if (!counts) {
            unchecked.push_back(keys[n]);
        } else if (!counts->missing_keys) {
            audit_key(*keys[n].key, *keys[n].audit, counts->elapsed_ms);
        } else {
            keys[n].audit->orphan_rows = counts->orphan_rows;
            keys[n].audit->missing_keys = *counts->missing_keys;
            keys[n].audit->elapsed_ms = counts->elapsed_ms;
        }
    }
    return unchecked;
}

// Keys of plain values (integers, uuids) are checked in memory, in one
// scan of the table. The others: re-reading a cached child for each key
// costs less than carrying every child row through one outer join per key;
// re-reading it from disk costs more. So a child bigger than
// effective_cache_size is scanned once for them. Temporal keys are always
// checked alone, by the trigger's coverage test for each row, and so are
// Citus tables' keys, each anti-join pushed down to the shards.
void audit_table_as_checker(const KeysInAudit &keys, TableAudit &table)
{
    KeysInAudit in_memory, others, alone;
    for (const KeyInAudit &entry : keys)
        (checked_in_memory(*entry.key)   ? in_memory
         : joins_in_one_scan(*entry.key) ? others
                                         : alone)
            .push_back(entry);
    if (!in_memory.empty())
        for (const KeyInAudit &entry : audit_in_memory(in_memory, table))
            others.push_back(entry);
    if (others.size() > 1 && child_outgrows_cache(*others.front().key) &&
        audit_in_one_scan(others, table))
        others.clear();
    others.insert(others.end(), alone.begin(), alone.end());
    if (!others.empty())
        audit_key_by_key(others, table);
}

}  // namespace

TableAudit audit_table(const std::vector<const ForeignKey *> &keys)
{
    TableAudit table;
    table.keys.resize(keys.size());
    KeysInAudit entries;
    for (std::size_t n = 0; n < keys.size(); ++n)
        entries.push_back({keys[n], &table.keys[n]});
    run_as_key_checker(*keys.front(), [&] { audit_table_as_checker(entries, table); });
    return table;
}

}  // namespace fkd
