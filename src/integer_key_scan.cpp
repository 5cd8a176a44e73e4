#include "integer_key_scan.hpp"

#include <limits>

#include "integer_key_set.hpp"
#include "orphan_spool.hpp"
#include "sql_generator.hpp"
#include "stopwatch.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
}

namespace fkd {

namespace {

bool is_integer_type(Oid type)
{
    return type == INT2OID || type == INT4OID || type == INT8OID;
}

std::int64_t integer_value(Datum value, Oid type)
{
    switch (type) {
    case INT2OID:
        return DatumGetInt16(value);
    case INT4OID:
        return DatumGetInt32(value);
    default:
        return DatumGetInt64(value);
    }
}

std::size_t memory_allowed()
{
    return static_cast<std::size_t>(maintenance_work_mem) * 1024;
}

// While the keys are read, their vector may hold twice their 8 bytes each;
// the set built from them takes at most 16 bytes a key.
constexpr std::size_t kLoadBytesPerKey = 32;

std::optional<ParentKeySet> load_parent_keys(const ForeignKey &key, std::size_t max_bytes)
{
    std::size_t limit = max_bytes / kLoadBytesPerKey;
    Oid type = key.columns.front().parent_type;
    std::vector<std::int64_t> values;
    visit_query_rows(parent_keys_query(key, static_cast<std::int64_t>(limit) + 1),
                     [&](const Datum *row, const bool *) {
                         values.push_back(integer_value(row[0], type));
                         return true;
                     });
    if (values.size() > limit)
        return std::nullopt;
    return ParentKeySet::build(values, max_bytes);
}

// The keys whose parents fitted, their parents' keys, and where each goes
// in the result.
struct LoadedKeys {
    std::vector<const ForeignKey *> keys;
    std::vector<ParentKeySet> parents;
    std::vector<std::size_t> slots;
    std::vector<double> load_ms;
    std::size_t bytes = 0;
};

LoadedKeys load_parents(const std::vector<const ForeignKey *> &keys, std::size_t max_bytes)
{
    LoadedKeys loaded;
    for (std::size_t n = 0; n < keys.size(); ++n) {
        Stopwatch watch;
        std::optional<ParentKeySet> parent = load_parent_keys(*keys[n], max_bytes - loaded.bytes);
        if (!parent)
            continue;
        loaded.bytes += parent->bytes();
        loaded.keys.push_back(keys[n]);
        loaded.parents.push_back(std::move(*parent));
        loaded.slots.push_back(n);
        loaded.load_ms.push_back(watch.elapsed_ms());
    }
    return loaded;
}

}  // namespace

bool is_integer_key(const ForeignKey &key)
{
    if (key.columns.size() != 1)
        return false;
    const KeyColumn &column = key.columns.front();
    const EqualityOperator &equality = column.equality;
    return is_integer_type(column.child_type) && is_integer_type(column.parent_type) &&
           is_integer_type(equality.left_type) && is_integer_type(equality.right_type) &&
           equality.name.schema == "pg_catalog" && equality.name.name == "=";
}

IntegerScanResult scan_integer_keys(const std::vector<const ForeignKey *> &keys)
{
    std::size_t max_bytes = memory_allowed();
    IntegerScanResult result;
    result.keys.resize(keys.size());
    LoadedKeys loaded = load_parents(keys, max_bytes);
    if (loaded.keys.empty())
        return result;

    std::size_t tally_bytes = (max_bytes - loaded.bytes) / loaded.keys.size();
    std::vector<OrphanTally> tallies(loaded.keys.size(), OrphanTally(tally_bytes));
    std::vector<Oid> child_types;
    for (const ForeignKey *key : loaded.keys)
        child_types.push_back(key->columns.front().child_type);

    Stopwatch scan_watch;
    result.rows_checked = static_cast<std::int64_t>(visit_query_rows(
        child_keys_query(loaded.keys, false), [&](const Datum *values, const bool *nulls) {
            for (std::size_t n = 0; n < tallies.size(); ++n) {
                if (nulls[n])
                    continue;  // a NULL key references nothing
                std::int64_t value = integer_value(values[n], child_types[n]);
                if (!loaded.parents[n].contains(value))
                    tallies[n].add_orphan(value);
            }
            return true;
        }));
    double scan_ms = scan_watch.elapsed_ms();

    for (std::size_t n = 0; n < loaded.keys.size(); ++n) {
        IntegerKeyCounts counts;
        counts.orphan_rows = tallies[n].orphan_rows();
        counts.missing_keys = tallies[n].missing_keys();
        counts.elapsed_ms = loaded.load_ms[n] + scan_ms;
        result.keys[loaded.slots[n]] = counts;
    }
    return result;
}

namespace {

constexpr std::size_t kRowsPerRead = 10000;

Relation table_of_child(const ForeignKey &key, Oid table)
{
    if (table == key.child.oid)
        return key.child;
    TextRow name = query_text_rows("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
                                   "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                                   "WHERE c.oid = " + std::to_string(table)).at(0);
    return Relation{table, {name.at(0).value(), name.at(1).value()}, 'r'};
}

std::uint64_t put_spooled_orphans(const ForeignKey &key, OrphanSpool &spool, const RowSink &sink)
{
    std::uint64_t put = 0;
    std::vector<RowAddress> rows;
    Oid rows_table = InvalidOid;
    auto put_rows = [&] {
        if (rows.empty())
            return;
        std::string query = orphan_rows_at_query(key, table_of_child(key, rows_table), rows);
        // The planner prices each fetch by ctid as a random read from disk
        // and would scan the whole table for each batch instead.
        with_setting("enable_seqscan", "off", [&] { put += run_query_into(query, sink); });
        rows.clear();
    };
    Oid table;
    RowAddress row;
    while (spool.next(table, row)) {
        if (table != rows_table || rows.size() == kRowsPerRead) {
            put_rows();
            rows_table = table;
        }
        rows.push_back(row);
    }
    put_rows();
    return put;
}

}  // namespace

std::optional<std::uint64_t> put_integer_orphans(const ForeignKey &key,
                                                 std::optional<std::int64_t> limit,
                                                 const RowSink &sink)
{
    std::optional<ParentKeySet> parent = load_parent_keys(key, memory_allowed());
    if (!parent)
        return std::nullopt;
    OrphanSpool spool;
    Oid type = key.columns.front().child_type;
    std::int64_t wanted = limit.value_or(std::numeric_limits<std::int64_t>::max());
    std::int64_t found = 0;
    visit_query_rows(child_keys_query({&key}, true), [&](const Datum *values, const bool *nulls) {
        if (nulls[2] || parent->contains(integer_value(values[2], type)))
            return true;
        spool.add(DatumGetObjectId(values[0]), reinterpret_cast<ItemPointer>(DatumGetPointer(values[1])));
        return ++found < wanted;
    });
    return put_spooled_orphans(key, spool, sink);
}

}  // namespace fkd
