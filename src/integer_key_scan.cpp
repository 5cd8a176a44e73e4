#include "integer_key_scan.hpp"

#include "audit_query.hpp"
#include "integer_key_set.hpp"
#include "spi_executor.hpp"
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

IntegerScanResult scan_integer_keys(const std::vector<const ForeignKey *> &keys,
                                    std::size_t max_bytes)
{
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
        child_keys_query(loaded.keys), [&](const Datum *values, const bool *nulls) {
            for (std::size_t n = 0; n < tallies.size(); ++n) {
                if (nulls[n])
                    continue;  // a NULL key references nothing
                std::int64_t value = integer_value(values[n], child_types[n]);
                if (!loaded.parents[n].contains(value))
                    tallies[n].add_orphan(value);
            }
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

}  // namespace fkd
