#include "server/key_check_in_memory.hpp"

#include <cstring>
#include <limits>
#include <memory>

#include "core/key_set.hpp"
#include "core/sql_generator.hpp"
#include "core/stopwatch.hpp"
#include "server/key_set_memory.hpp"
#include "server/settings.hpp"
#include "server/spi_executor.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/uuid.h"
}

namespace fkd {

namespace {

enum class KeyKind { Integer, Uuid, IntegerPair };

bool is_integer_type(Oid type)
{
    return type == INT2OID || type == INT4OID || type == INT8OID;
}

bool compared_by_builtin_equality(const KeyColumn &column)
{
    return column.equality.name.schema == "pg_catalog" && column.equality.name.name == "=";
}

bool is_integer_column(const KeyColumn &column)
{
    return compared_by_builtin_equality(column) && is_integer_type(column.child_type) &&
           is_integer_type(column.parent_type) && is_integer_type(column.equality.left_type) &&
           is_integer_type(column.equality.right_type);
}

bool is_uuid_column(const KeyColumn &column)
{
    return compared_by_builtin_equality(column) && column.child_type == UUIDOID &&
           column.parent_type == UUIDOID && column.equality.left_type == UUIDOID &&
           column.equality.right_type == UUIDOID;
}

std::optional<KeyKind> kind_of(const ForeignKey &key)
{
    if (key.columns.size() == 1 && is_integer_column(key.columns[0]))
        return KeyKind::Integer;
    if (key.columns.size() == 1 && is_uuid_column(key.columns[0]))
        return KeyKind::Uuid;
    // MATCH FULL would make a partly NULL key an orphan: not a value to look up.
    if (key.columns.size() == 2 && key.match == MatchType::Simple &&
        is_integer_column(key.columns[0]) && is_integer_column(key.columns[1]))
        return KeyKind::IntegerPair;
    return std::nullopt;
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

// Where a key's columns are in a row, and their types.
struct KeyReader {
    KeyKind kind;
    std::size_t first;  // the key's first column
    std::size_t count;
    Oid types[2];
};

enum class Side { Child, Parent };

KeyReader reader_for(const ForeignKey &key, std::size_t first, Side side)
{
    KeyReader reader{*kind_of(key), first, key.columns.size(), {InvalidOid, InvalidOid}};
    for (std::size_t n = 0; n < key.columns.size(); ++n)
        reader.types[n] = side == Side::Child ? key.columns[n].child_type
                                              : key.columns[n].parent_type;
    return reader;
}

// The key's column types on one side, as a query of its columns returns them.
std::vector<Oid> column_types(const ForeignKey &key, Side side)
{
    std::vector<Oid> types;
    for (const KeyColumn &column : key.columns)
        types.push_back(side == Side::Child ? column.child_type : column.parent_type);
    return types;
}

// What child_keys_query() returns for keys: the row's location if asked
// for, then each key's child columns.
std::vector<Oid> child_scan_types(const std::vector<const ForeignKey *> &keys,
                                  RowLocation location)
{
    std::vector<Oid> types;
    if (location == RowLocation::Included)
        types = {OIDOID, TIDOID};
    for (const ForeignKey *key : keys)
        for (Oid type : column_types(*key, Side::Child))
            types.push_back(type);
    return types;
}

template <typename Key>
Key read_key(const KeyReader &reader, const Datum *row);

template <>
IntegerKey read_key<IntegerKey>(const KeyReader &reader, const Datum *row)
{
    return integer_value(row[reader.first], reader.types[0]);
}

template <>
WideKey read_key<WideKey>(const KeyReader &reader, const Datum *row)
{
    WideKey key;
    if (reader.kind == KeyKind::Uuid) {
        const pg_uuid_t *uuid = DatumGetUUIDP(row[reader.first]);
        std::memcpy(&key.first, uuid->data, sizeof key.first);
        std::memcpy(&key.second, uuid->data + sizeof key.first, sizeof key.second);
    } else {
        key.first = static_cast<std::uint64_t>(integer_value(row[reader.first], reader.types[0]));
        key.second =
            static_cast<std::uint64_t>(integer_value(row[reader.first + 1], reader.types[1]));
    }
    return key;
}

bool has_null(const KeyReader &reader, const bool *nulls)
{
    for (std::size_t n = 0; n < reader.count; ++n)
        if (nulls[reader.first + n])
            return true;
    return false;
}

// A new secret for a hash set (key_set.hpp), so that a table's owner cannot
// choose keys that crowd one slot of it.
HashSeed new_seed()
{
    HashSeed seed;
    pg_call([&seed]() noexcept {
        if (!pg_strong_random(&seed, sizeof seed))
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("fkdoctor could not generate a random hash seed")));
    });
    return seed;
}

// Called with each row a visitor reads: checks for a cancel every few
// thousand.
void every_few_rows(std::uint64_t row)
{
    if (row % kKeysPerInterruptCheck == 0)
        check_for_interrupts();
}

// One key's parent keys in memory, the place of its columns in the child's
// rows, and its tally of orphans.
class KeyInMemory {
public:
    virtual ~KeyInMemory() = default;
    // True if the row's key is complete (a NULL references nothing) and
    // has no parent.
    virtual bool is_orphan(const Datum *row, const bool *nulls) const = 0;
    virtual void start_tally(std::size_t max_bytes) = 0;
    // Counts an orphan row and its missing key.
    virtual void count_orphan(const Datum *row) = 0;
    virtual KeyCounts counts() const = 0;
    virtual std::size_t bytes() const = 0;
};

template <typename Key>
class KeyInMemoryOf final : public KeyInMemory {
public:
    using ParentSet = typename ParentSetOf<Key>::type;

    KeyInMemoryOf(ParentSet parents, KeyReader child, KeyMemory &memory)
        : parents_(std::move(parents)), child_(child), memory_(memory) {}

    bool is_orphan(const Datum *row, const bool *nulls) const override
    {
        return !has_null(child_, nulls) && !parents_.contains(read_key<Key>(child_, row));
    }
    void start_tally(std::size_t max_bytes) override
    {
        tally_.emplace(max_bytes, new_seed(), check_for_interrupts, &memory_);
    }
    void count_orphan(const Datum *row) override { tally_->add_orphan(read_key<Key>(child_, row)); }
    KeyCounts counts() const override
    {
        KeyCounts counts;
        counts.orphan_rows = tally_->orphan_rows();
        counts.missing_keys = tally_->missing_keys();
        return counts;
    }
    std::size_t bytes() const override { return parents_.bytes(); }

private:
    ParentSet parents_;
    KeyReader child_;
    KeyMemory &memory_;
    std::optional<OrphanTally<Key>> tally_;
};

std::size_t memory_allowed()
{
    return static_cast<std::size_t>(maintenance_work_mem) * 1024;
}

// Reading stops past max_bytes / kLoadBytesPerKey keys, so that their
// vector (up to twice their size while it grows) stays under half of
// max_bytes; build() keeps the set made from them within max_bytes.
template <typename Key>
constexpr std::size_t kLoadBytesPerKey = 4 * sizeof(Key);

template <typename Key>
std::unique_ptr<KeyInMemory> load_key_of(const ForeignKey &key, std::size_t first_column,
                                         std::size_t max_bytes, KeyMemory &memory)
{
    std::size_t limit = max_bytes / kLoadBytesPerKey<Key>;
    KeyReader parent = reader_for(key, 0, Side::Parent);
    KeyVector<Key> keys(&memory);
    visit_query_rows(parent_keys_query(key, static_cast<std::int64_t>(limit) + 1),
                     column_types(key, Side::Parent), [&](const Datum *row, const bool *) {
                         every_few_rows(keys.size());
                         keys.push_back(read_key<Key>(parent, row));
                         return true;
                     });
    if (keys.size() > limit)
        return nullptr;
    auto parents = ParentSetOf<Key>::type::build(keys, max_bytes, new_seed(),
                                                 check_for_interrupts, &memory);
    if (!parents)
        return nullptr;
    return std::make_unique<KeyInMemoryOf<Key>>(std::move(*parents),
                                                reader_for(key, first_column, Side::Child),
                                                memory);
}

// The key's parent keys read into memory, its columns at first_column of
// the child's rows; nothing if they do not fit in max_bytes.
std::unique_ptr<KeyInMemory> load_key(const ForeignKey &key, std::size_t first_column,
                                      std::size_t max_bytes, KeyMemory &memory)
{
    if (kind_of(key) == KeyKind::Integer)
        return load_key_of<IntegerKey>(key, first_column, max_bytes, memory);
    return load_key_of<WideKey>(key, first_column, max_bytes, memory);
}

// The keys whose parents fitted, in the order of their columns in the
// child scan, and where each goes in the result.
struct LoadedKeys {
    std::vector<const ForeignKey *> keys;
    std::vector<std::unique_ptr<KeyInMemory>> in_memory;
    std::vector<std::size_t> slots;
    std::vector<double> load_ms;
    std::size_t bytes = 0;
};

LoadedKeys load_parents(const std::vector<const ForeignKey *> &keys, std::size_t max_bytes,
                        KeyMemory &memory)
{
    LoadedKeys loaded;
    std::size_t next_column = 0;
    for (std::size_t n = 0; n < keys.size(); ++n) {
        Stopwatch watch;
        std::unique_ptr<KeyInMemory> key =
            load_key(*keys[n], next_column, max_bytes - loaded.bytes, memory);
        if (!key)
            continue;
        loaded.bytes += key->bytes();
        next_column += keys[n]->columns.size();
        loaded.keys.push_back(keys[n]);
        loaded.in_memory.push_back(std::move(key));
        loaded.slots.push_back(n);
        loaded.load_ms.push_back(watch.elapsed_ms());
    }
    return loaded;
}

}  // namespace

bool can_check_in_memory(const ForeignKey &key)
{
    return fkdoctor_check_in_memory && kind_of(key).has_value();
}

MemoryScanResult scan_keys_in_memory(const std::vector<const ForeignKey *> &keys)
{
    std::size_t max_bytes = memory_allowed();
    MemoryScanResult result;
    result.keys.resize(keys.size());
    KeySetMemory memory;  // first: the sets that use it go before it
    LoadedKeys loaded = load_parents(keys, max_bytes, memory);
    if (loaded.keys.empty())
        return result;
    for (auto &key : loaded.in_memory)
        key->start_tally((max_bytes - loaded.bytes) / loaded.keys.size());

    Stopwatch scan_watch;
    std::uint64_t rows = 0;
    result.rows_checked = static_cast<std::int64_t>(visit_query_rows(
        child_keys_query(loaded.keys, RowLocation::Omitted),
        child_scan_types(loaded.keys, RowLocation::Omitted),
        [&](const Datum *values, const bool *nulls) {
            every_few_rows(rows++);
            for (auto &key : loaded.in_memory)
                if (key->is_orphan(values, nulls))
                    key->count_orphan(values);
            return true;
        }));
    double scan_ms = scan_watch.elapsed_ms();

    for (std::size_t n = 0; n < loaded.keys.size(); ++n) {
        KeyCounts counts = loaded.in_memory[n]->counts();
        counts.elapsed_ms = loaded.load_ms[n] + scan_ms;
        result.keys[loaded.slots[n]] = counts;
    }
    return result;
}

namespace {

constexpr std::int64_t kRowsPerRead = 10000;

// Reading orphans back by ctid costs more per row than the anti-join, which
// the planner can also spread over parallel workers: once a quarter of the
// rows read are orphans (past a few batches' worth), the anti-join wins.
constexpr std::int64_t kOrphansBeforeJudging = 3 * kRowsPerRead;
constexpr std::int64_t kMostRowsPerOrphan = 4;

bool too_many_orphans(std::int64_t orphans, std::int64_t rows)
{
    return orphans >= kOrphansBeforeJudging && orphans * kMostRowsPerOrphan > rows;
}

}  // namespace

bool spool_orphans_in_memory(const ForeignKey &key, std::optional<std::int64_t> limit,
                             OrphanSpool &spool)
{
    // The child scan's rows start with the row's table and ctid.
    KeySetMemory memory;
    std::unique_ptr<KeyInMemory> in_memory = load_key(key, 2, memory_allowed(), memory);
    if (!in_memory)
        return false;
    std::int64_t wanted = limit.value_or(std::numeric_limits<std::int64_t>::max());
    std::int64_t rows = 0, found = 0;
    bool anti_join_wins = false;
    visit_query_rows(child_keys_query({&key}, RowLocation::Included),
                     child_scan_types({&key}, RowLocation::Included),
                     [&](const Datum *values, const bool *nulls) {
                         every_few_rows(rows++);
                         if (!in_memory->is_orphan(values, nulls))
                             return true;
                         spool.add(DatumGetObjectId(values[0]),
                                   reinterpret_cast<ItemPointer>(DatumGetPointer(values[1])));
                         anti_join_wins = too_many_orphans(++found, rows);
                         return found < wanted && !anti_join_wins;
                     });
    return !anti_join_wins;
}

}  // namespace fkd
