// fk_audit(rel regclass DEFAULT NULL): one row per foreign key with how many
// rows were checked, how many are orphans, a status, how the orphans could
// have got in, and advice.
#include <algorithm>
#include <vector>

#include <boost/container/flat_map.hpp>

#include "core/audit_query.hpp"
#include "server/key_function_call.hpp"
#include "server/key_scan.hpp"
#include "server/settings.hpp"
#include "core/sql_quoting.hpp"
#include "core/stopwatch.hpp"
#include "server/subtransaction.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace fkd {
namespace {

struct AuditRow {
    const ForeignKey *key = nullptr;
    std::optional<std::int64_t> rows_checked, orphan_rows, missing_keys;
    const char *status = "ok";
    std::optional<std::string> diagnosis, advice;
    std::optional<double> elapsed_ms;
};

enum Column {
    kConstraintName, kChildTable, kParentTable, kRowsChecked, kOrphanRows, kMissingKeys,
    kStatus, kDiagnosis, kAdvice, kElapsedMs, kColumnCount
};

using TableKeys = std::vector<AuditRow *>;
using KeysByTable = boost::container::flat_map<Oid, TableKeys, std::less<Oid>,
                                               PallocAllocator<std::pair<Oid, TableKeys>>>;

std::int64_t number(const TextValue &value) { return value ? std::stoll(*value) : 0; }

std::vector<const ForeignKey *> keys_of(const TableKeys &rows)
{
    std::vector<const ForeignKey *> keys;
    for (const AuditRow *row : rows)
        keys.push_back(row->key);
    return keys;
}

void record_counts(AuditRow &row, std::int64_t rows_checked, std::int64_t orphan_rows,
                   std::int64_t missing_keys)
{
    row.rows_checked = rows_checked;
    row.orphan_rows = orphan_rows;
    row.missing_keys = missing_keys;
    row.status = orphan_rows > 0 ? "orphans" : "ok";
    if (orphan_rows > 0)
        row.diagnosis = orphan_diagnosis(*row.key);
}

void record_error(AuditRow &row, const std::string &message)
{
    row.status = "error";
    row.diagnosis = "the check failed: " + message;
}

// The key's own anti-join, in its own subtransaction, so that one bad key
// does not hide the others' results. elapsed_ms: time already spent on it.
void audit_key(AuditRow &row, std::int64_t rows_checked, double elapsed_ms = 0)
{
    TextRow counts;
    Stopwatch watch;
    std::optional<std::string> error = run_in_subtransaction([&] {
        counts = query_text_rows(key_audit_query(*row.key)).at(0);
    });
    row.elapsed_ms = elapsed_ms + watch.elapsed_ms();
    if (error)
        record_error(row, *error);
    else
        record_counts(row, rows_checked, number(counts.at(0)), number(counts.at(1)));
}

// The table's rows are counted once (unless already counted), then each
// key is checked alone.
void audit_key_by_key(const TableKeys &rows, std::optional<std::int64_t> counted_rows)
{
    std::int64_t rows_checked = counted_rows.value_or(0);
    std::optional<std::string> error;
    if (!counted_rows)
        error = run_in_subtransaction([&] {
            rows_checked = number(query_value(child_row_count_query(*rows.front()->key)));
        });
    for (AuditRow *row : rows) {
        if (error)
            record_error(*row, *error);
        else
            audit_key(*row, rows_checked);
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
bool audit_in_one_scan(const TableKeys &rows)
{
    std::vector<const ForeignKey *> keys = keys_of(rows);
    int work_mem_kb = std::max(64, maintenance_work_mem / static_cast<int>(keys.size()));
    TextRow counts;
    Stopwatch watch;
    std::optional<std::string> error = run_in_subtransaction([&] {
        with_work_mem(work_mem_kb,
                      [&] { counts = query_text_rows(table_audit_query(keys)).at(0); });
    });
    if (error)
        return false;
    double elapsed_ms = watch.elapsed_ms();
    std::int64_t rows_checked = number(counts.at(0));
    for (size_t n = 0; n < rows.size(); ++n) {
        if (number(counts.at(1 + n)) > 0) {
            audit_key(*rows[n], rows_checked, elapsed_ms);
        } else {
            record_counts(*rows[n], rows_checked, 0, 0);
            rows[n]->elapsed_ms = elapsed_ms;
        }
    }
    return true;
}

// The table's keys checked in memory whose parents' keys fit in
// maintenance_work_mem, in one scan of the table that also counts its rows.
// A key with more distinct missing keys than fit is read again by its own
// anti-join. Returns the row count, if the scan ran; the keys it did not
// check go to unchecked (all of them if it failed, so that each is then
// tried alone).
std::optional<std::int64_t> audit_in_memory(const TableKeys &rows, TableKeys &unchecked)
{
    std::vector<const ForeignKey *> keys = keys_of(rows);
    MemoryScanResult scan;
    std::optional<std::string> error =
        run_in_subtransaction([&] { scan = scan_keys_in_memory(keys); });
    if (error)
        scan = MemoryScanResult{std::nullopt, decltype(scan.keys)(rows.size())};
    for (size_t n = 0; n < rows.size(); ++n) {
        const std::optional<KeyCounts> &counts = scan.keys[n];
        if (!counts)
            unchecked.push_back(rows[n]);
        else if (!counts->missing_keys)
            audit_key(*rows[n], *scan.rows_checked, counts->elapsed_ms);
        else {
            record_counts(*rows[n], *scan.rows_checked, counts->orphan_rows, *counts->missing_keys);
            rows[n]->elapsed_ms = counts->elapsed_ms;
        }
    }
    return scan.rows_checked;
}

// Keys of plain values (integers, uuids) are checked in memory, in one
// scan of the table (see key_scan.hpp). The others: re-reading a cached
// child for each key costs less than carrying every child row through one
// outer join per key; re-reading it from disk costs more. So a child bigger
// than effective_cache_size is scanned once for them.
void audit_table(const TableKeys &rows)
{
    TableKeys in_memory_rows, other_rows;
    for (AuditRow *row : rows)
        (checked_in_memory(*row->key) ? in_memory_rows : other_rows).push_back(row);
    std::optional<std::int64_t> rows_checked;
    if (!in_memory_rows.empty())
        rows_checked = audit_in_memory(in_memory_rows, other_rows);
    if (other_rows.empty())
        return;
    if (other_rows.size() > 1 && child_outgrows_cache(*other_rows.front()->key) &&
        audit_in_one_scan(other_rows))
        return;
    audit_key_by_key(other_rows, rows_checked);
}

void report_progress(const AuditRow &row)
{
    if (!fkdoctor_progress)
        return;
    std::string message = quote_identifier(row.key->name) + " on " +
                          quote_qualified(row.key->child.name) + ": " + row.status;
    if (row.orphan_rows)
        message += ", " + std::to_string(*row.orphan_rows) + " orphan rows";
    if (row.elapsed_ms)
        message += ", " + std::to_string(static_cast<long long>(*row.elapsed_ms)) + " ms";
    const char *text = message.c_str();
    pg_call([text] { ereport(NOTICE, (errmsg("fkdoctor: %s", text))); });
}

Datum optional_int64(const std::optional<std::int64_t> &value, bool &null)
{
    null = !value;
    return value ? Int64GetDatum(*value) : 0;
}

Datum optional_text(const std::optional<std::string> &value, bool &null)
{
    null = !value;
    return value ? text_datum(value->c_str()) : 0;
}

void put_audit(const RowSink &sink, const AuditRow &row)
{
    Datum values[kColumnCount];
    bool nulls[kColumnCount] = {};
    values[kConstraintName] = name_datum(row.key->name.c_str());
    values[kChildTable] = ObjectIdGetDatum(row.key->child.oid);
    values[kParentTable] = ObjectIdGetDatum(row.key->parent.oid);
    values[kRowsChecked] = optional_int64(row.rows_checked, nulls[kRowsChecked]);
    values[kOrphanRows] = optional_int64(row.orphan_rows, nulls[kOrphanRows]);
    values[kMissingKeys] = optional_int64(row.missing_keys, nulls[kMissingKeys]);
    values[kStatus] = text_datum(row.status);
    values[kDiagnosis] = optional_text(row.diagnosis, nulls[kDiagnosis]);
    values[kAdvice] = optional_text(row.advice, nulls[kAdvice]);
    values[kElapsedMs] = row.elapsed_ms ? Float8GetDatum(*row.elapsed_ms) : 0;
    nulls[kElapsedMs] = !row.elapsed_ms;
    put_row(sink, values, nulls);
}

Datum fk_audit_body(FunctionCallInfo fcinfo)
{
    KeyFunctionCall call(fcinfo, oid_argument(fcinfo, 0));
    std::vector<AuditRow> rows(call.keys.size());
    KeysByTable by_table{PallocAllocator<std::pair<Oid, TableKeys>>(CurrentMemoryContext)};
    for (size_t i = 0; i < call.keys.size(); ++i) {
        AuditRow &row = rows[i];
        row.key = &call.keys[i];
        row.advice = key_advice(*row.key);
        if (std::optional<std::string> reason = reason_not_checkable(*row.key)) {
            row.status = "skipped";
            row.diagnosis = "not checked: " + *reason;
        } else {
            by_table[row.key->child.oid].push_back(&row);
        }
    }
    for (const auto &[table, table_rows] : by_table) {
        check_for_interrupts();
        audit_table(table_rows);
        for (const AuditRow *row : table_rows)
            report_progress(*row);
    }
    for (const AuditRow &row : rows)
        put_audit(call.sink, row);
    return (Datum) 0;
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_audit, fkd::fk_audit_body)
