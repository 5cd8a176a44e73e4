// fk_audit(rel regclass DEFAULT NULL): one row per foreign key with how many
// rows were checked, how many are orphans, a status, how the orphans could
// have got in, and advice. fk_audit_blocks(rel, heap, first_block,
// end_block): the same for rel's keys, reading only those blocks of one of
// its heaps (rel itself, or a leaf partition of it): one range of a
// budgeted audit (fk_audit_record(time_budget interval)).
#include <vector>

#include <boost/container/flat_map.hpp>

#include "core/audit_query.hpp"
#include "core/errors.hpp"
#include "core/sql_quoting.hpp"
#include "server/key_function_call.hpp"
#include "server/orphan_check.hpp"
#include "server/settings.hpp"

extern "C" {
#include "miscadmin.h"
#include "storage/lmgr.h"
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
using KeysByTable = boost::container::flat_map<Oid, TableKeys>;

// The checking layer's answer for one key, in the audit's words.
void record(AuditRow &row, const std::optional<std::int64_t> &rows_checked, const KeyAudit &audit)
{
    row.elapsed_ms = audit.elapsed_ms;
    if (audit.error || !rows_checked) {
        row.status = "error";
        row.diagnosis = "the check failed: " + audit.error.value_or("the rows could not be counted");
        return;
    }
    row.rows_checked = rows_checked;
    row.orphan_rows = audit.orphan_rows;
    row.missing_keys = audit.missing_keys;
    row.status = audit.orphan_rows > 0 ? "orphans" : "ok";
    if (audit.orphan_rows > 0)
        row.diagnosis = orphan_diagnosis(*row.key);
}

void audit_rows_of_table(const TableKeys &rows)
{
    std::vector<const ForeignKey *> keys;
    for (const AuditRow *row : rows)
        keys.push_back(row->key);
    TableAudit audit = audit_table(keys);
    for (std::size_t n = 0; n < rows.size(); ++n)
        record(*rows[n], audit.rows_checked, audit.keys[n]);
}

void report_progress(const AuditRow &row)
{
    if (!fkdoctor_progress)
        return;
    std::string message = quote_identifier(row.key->name) + " on " +
                          quote_qualified(row.key->child.name) + ": " + row.status;
    if (row.orphan_rows)
        message += ", " + std::to_string(*row.orphan_rows) +
                   (*row.orphan_rows == 1 ? " orphan row" : " orphan rows");
    if (row.elapsed_ms)
        message += ", " + std::to_string(static_cast<long long>(*row.elapsed_ms)) + " ms";
    const char *text = message.c_str();
    pg_call([text]() noexcept { ereport(NOTICE, (errmsg("fkdoctor: %s", text))); });
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

// Audits every key of the call and puts its rows; with each table's keys
// checked, a NOTICE per key if report is set.
void audit_keys(const KeyFunctionCall &call, bool report)
{
    std::vector<AuditRow> rows(call.keys.size());
    KeysByTable by_table;
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
        audit_rows_of_table(table_rows);
        if (report)
            for (const AuditRow *row : table_rows)
                report_progress(*row);
    }
    for (const AuditRow &row : rows)
        put_audit(call.sink, row);
}

Datum fk_audit_body(FunctionCallInfo fcinfo)
{
    KeyFunctionCall call(fcinfo, oid_argument(fcinfo, 0), KeyUse::ReadTables);
    audit_keys(call, true);
    return (Datum) 0;
}

// A TID's block number is 32 bits: '(4294967295,0)' ends the last block.
constexpr std::int64_t kBlockNumbers = std::int64_t(1) << 32;

// "s.t", quoted for a message, as regclass writes it.
std::string relation_name(Oid relation)
{
    std::string id = std::to_string(relation);
    return "\"" + query_value("SELECT " + id + "::pg_catalog.regclass::pg_catalog.text").value_or(id) +
           "\"";
}

// The heap's name, once it is locked and known to be table itself (not
// partitioned) or one of its leaf partitions.
QualifiedName heap_of(Oid table, Oid heap)
{
    pg_call([heap]() noexcept { LockRelationOid(heap, AccessShareLock); });
    std::string id = std::to_string(heap), parent = std::to_string(table);
    std::vector<TextRow> rows = query_text_rows_now(
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
        "WHERE c.oid OPERATOR(pg_catalog.=) " + id + "::pg_catalog.oid "
        "AND c.relkind OPERATOR(pg_catalog.=) 'r' AND (c.oid OPERATOR(pg_catalog.=) " + parent +
        "::pg_catalog.oid OR c.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(" +
        parent + "::pg_catalog.oid::pg_catalog.regclass) t WHERE t.isleaf))");
    if (rows.empty())
        throw Error(kInvalidParameterValue,
                    "relation " + relation_name(heap) + " is not a heap of table " +
                        relation_name(table),
                    "The heap must be the table itself or one of its leaf partitions.");
    return {rows[0].at(0).value(), rows[0].at(1).value()};
}

ChildBlocks block_range(FunctionCallInfo fcinfo, Oid table)
{
    std::optional<Oid> heap = oid_argument(fcinfo, 1);
    std::optional<std::int64_t> first = int64_argument(fcinfo, 2);
    std::optional<std::int64_t> end = int64_argument(fcinfo, 3);
    if (!heap || !first || !end)
        throw Error(kInvalidParameterValue, "heap, first_block and end_block must not be null");
    if (*first < 0 || *end <= *first || *end > kBlockNumbers)
        throw Error(kInvalidParameterValue, "invalid block range",
                    "The range is first_block up to end_block, not including it: 0 <= "
                    "first_block < end_block <= 4294967296.");
    return {heap_of(table, *heap), *first, *end};
}

Datum fk_audit_blocks_body(FunctionCallInfo fcinfo)
{
    std::optional<Oid> table = oid_argument(fcinfo, 0);
    if (!table)
        throw Error(kInvalidParameterValue, "rel must not be null",
                    "fk_audit_blocks() reads blocks of one table.");
    KeyFunctionCall call(fcinfo, table, KeyUse::ReadTables);
    ChildBlocks blocks = block_range(fcinfo, *table);
    if (call.keys.empty())
        throw Error(kInvalidParameterValue,
                    "table " + relation_name(*table) + " has no foreign keys to check",
                    "", "fk_audit_blocks() checks the keys of the referencing table.");
    for (ForeignKey &key : call.keys) {
        if (key.is_distributed())
            throw Error(kInvalidParameterValue,
                        "foreign key \"" + key.name + "\" of a Citus table cannot be checked by blocks",
                        "The rows of a Citus table are in its shards, whose blocks are on other "
                        "nodes.",
                        "Check it whole with fk_audit().");
        key.child_blocks = blocks;
    }
    audit_keys(call, false);
    return (Datum) 0;
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_audit, fkd::fk_audit_body)
FKD_SQL_FUNCTION(fk_audit_blocks, fkd::fk_audit_blocks_body)
