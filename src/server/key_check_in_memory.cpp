#include "server/key_check_in_memory.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>

#include "core/audit_query.hpp"
#include "core/errors.hpp"
#include "core/flat_key_sets.hpp"
#include "core/key_set.hpp"
#include "core/lookup_batch.hpp"
#include "core/orphan_locations.hpp"
#include "core/text_key_set.hpp"
#include "core/sql_generator.hpp"
#include "core/stopwatch.hpp"
#include "server/key_columns.hpp"
#include "server/key_set_memory.hpp"
#include "server/parallel_key_check.hpp"
#include "server/settings.hpp"
#include "server/spi_executor.hpp"
#include "server/varlena.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace fkd {

namespace {

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

// text and varchar (any mix, compared as text), or bpchar, under
// collations where equal is equal bytes.
bool is_text_column(const KeyColumn &column)
{
    return compared_by_builtin_equality(column) && column.compared_by_bytes &&
           is_text_type(column.child_type) && is_text_type(column.parent_type) &&
           column.equality.left_type == TEXTOID && column.equality.right_type == TEXTOID;
}

bool is_bpchar_column(const KeyColumn &column)
{
    return compared_by_builtin_equality(column) && column.compared_by_bytes &&
           column.child_type == BPCHAROID && column.parent_type == BPCHAROID &&
           column.equality.left_type == BPCHAROID && column.equality.right_type == BPCHAROID;
}

std::optional<KeyKind> kind_of(const ForeignKey &key)
{
    if (key.columns.size() == 1 && is_integer_column(key.columns[0]))
        return KeyKind::Integer;
    if (key.columns.size() == 1 && is_uuid_column(key.columns[0]))
        return KeyKind::Uuid;
    if (key.columns.size() == 1 && is_text_column(key.columns[0]))
        return KeyKind::Text;
    if (key.columns.size() == 1 && is_bpchar_column(key.columns[0]))
        return KeyKind::Bpchar;
    // MATCH FULL would make a partly NULL key an orphan: not a value to look up.
    if (key.columns.size() == 2 && key.match == MatchType::Simple &&
        is_integer_column(key.columns[0]) && is_integer_column(key.columns[1]))
        return KeyKind::IntegerPair;
    return std::nullopt;
}

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

// A table's size as its statistics estimate it.
struct SizeEstimate {
    std::optional<std::int64_t> rows;  // nothing if it has no estimate
    std::int64_t pages = 0;
};

SizeEstimate estimated_size(const Relation &table)
{
    TextRow size = query_text_rows(row_estimate_query(table)).at(0);
    SizeEstimate estimate;
    if (size.at(0))
        estimate.rows = std::stoll(*size[0]);
    if (size.at(1))
        estimate.pages = std::stoll(*size[1]);
    return estimate;
}

std::optional<std::int64_t> estimated_rows(const Relation &table)
{
    return estimated_size(table).rows;
}

// Whether a parent's estimated rows are more than limit: its keys would not
// fit, and reading them to find out would be wasted.
bool more_rows_than(std::optional<std::int64_t> rows, std::size_t limit)
{
    return rows && static_cast<std::uint64_t>(*rows) > limit;
}

// Called with each row a visitor reads: checks for a cancel every few
// thousand.
void every_few_rows(std::uint64_t row)
{
    if (row % kKeysPerInterruptCheck == 0)
        check_for_interrupts();
}

// One key's parent keys in memory.
class KeyInMemory {
public:
    virtual ~KeyInMemory() = default;
    // Adds the keys to the sets a scan looks rows up in; the key's tally of
    // missing keys may use tally_bytes in each process of the scan.
    virtual void add_to(FlatKeySetWriter &sets, std::size_t tally_bytes) const = 0;
    virtual std::size_t bytes() const = 0;
    // Whether its lookups wait for memory (a hash set, not a bitmap), so
    // that making them together pays (core/lookup_batch.hpp).
    virtual bool worth_batching() const = 0;
};

// The distinct missing keys are tallied by the child's values
// (fk_orphan_tally), which is exactly how the parent compares them for the
// keys checked here: the integers of any width, sign-extended to 64 bits,
// are equal exactly when the key's cross-type = says so (no cast rounds an
// integer), a uuid is equal by its 16 bytes, and text under deterministic
// collations by its bytes (a bpchar's without its trailing spaces).
template <typename Key>
class KeyInMemoryOf final : public KeyInMemory {
public:
    using ParentSet = typename ParentSetOf<Key>::type;

    explicit KeyInMemoryOf(ParentSet parents) : parents_(std::move(parents)) {}

    void add_to(FlatKeySetWriter &sets, std::size_t tally_bytes) const override
    {
        sets.add(parents_.lookup(), tally_bytes);
    }
    std::size_t bytes() const override { return parents_.bytes(); }
    bool worth_batching() const override { return parents_.lookup().worth_batching(); }

private:
    ParentSet parents_;
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
std::unique_ptr<KeyInMemory> load_key_of(const ForeignKey &key,
                                         std::optional<std::int64_t> parent_rows,
                                         std::size_t max_bytes, KeyMemory &memory)
{
    std::size_t limit = max_bytes / kLoadBytesPerKey<Key>;
    if (more_rows_than(parent_rows, limit))
        return nullptr;
    KeyReader parent = reader_for(key, 0, Side::Parent);
    KeyVector<Key> keys(&memory);
    visit_query_rows(parent_keys_query(key, static_cast<std::int64_t>(limit) + 1),
                     column_types(key, Side::Parent), [&](const Datum *row, const bool *) {
                         every_few_rows(keys.size());
                         keys.push_back(read_key<Key>(parent, QueryRow{row, nullptr}));
                         return true;
                     });
    if (keys.size() > limit)
        return nullptr;
    auto parents = ParentSetOf<Key>::type::build(keys, max_bytes, new_seed(),
                                                 check_for_interrupts, &memory);
    if (!parents)
        return nullptr;
    return std::make_unique<KeyInMemoryOf<Key>>(std::move(*parents));
}

// A parent's dense integer keys, read into a bitmap by the leader and the
// parallel workers together (fkdoctor_internal.fk_key_bitmap).
class BitmapKeyInMemory final : public KeyInMemory {
public:
    BitmapKeyInMemory(IntegerKey least, std::uint64_t range, KeyMemory &memory)
        : least_(least), range_(range), words_(range / 64 + 1, 0, &memory) {}

    std::uint64_t *words() { return words_.data(); }
    void add_to(FlatKeySetWriter &sets, std::size_t tally_bytes) const override
    {
        IntegerLookup lookup;
        lookup.bitmap = {least_, range_, words_.data()};
        sets.add(lookup, tally_bytes);
    }
    std::size_t bytes() const override { return words_.size() * sizeof(std::uint64_t); }
    bool worth_batching() const override { return false; }

private:
    IntegerKey least_;
    std::uint64_t range_;
    std::pmr::vector<std::uint64_t> words_;
};

// fk_key_bitmap's result (least, range, then the words) into words, if it
// is the bitmap asked for.
bool copy_bitmap(Datum result, IntegerKey least, std::uint64_t range, std::uint64_t *words,
                 std::size_t bytes)
{
    return pg_call([=]() noexcept {
        bytea *data = DatumGetByteaPP(result);
        std::uint64_t header[2];
        if (VARSIZE_ANY_EXHDR(data) != sizeof header + bytes)
            return false;
        memcpy(header, VARDATA_ANY(data), sizeof header);
        if (header[0] != static_cast<std::uint64_t>(least) || header[1] != range)
            return false;
        memcpy(words, VARDATA_ANY(data) + sizeof header, bytes);
        return true;
    });
}

// A bitmap is the set for keys this dense at least: one key in 128 bits,
// what a hash set (at most half full) spends on an integer key.
constexpr std::uint64_t kMostBitsPerKey = 128;

// The parent's keys as a bitmap made in parallel, when they are dense
// enough for one and it takes at most half of max_bytes; nothing otherwise
// (and for no keys), for the parent to be read in this backend.
std::unique_ptr<KeyInMemory> load_bitmap_in_parallel(const ForeignKey &key,
                                                     const std::string &schema,
                                                     std::optional<std::int64_t> rows,
                                                     std::size_t max_bytes, KeyMemory &memory)
{
    TextRow ends = query_text_rows(parent_key_range_query(key)).at(0);
    if (!ends.at(0) || !ends.at(1))
        return nullptr;
    auto least = static_cast<IntegerKey>(std::stoll(*ends[0]));
    std::uint64_t range = static_cast<std::uint64_t>(std::stoll(*ends[1])) -
                          static_cast<std::uint64_t>(least) + 1;
    if (range == 0 || range > static_cast<std::uint64_t>(INT64_MAX) ||
        range / 64 + 1 > max_bytes / 2 / sizeof(std::uint64_t) ||
        (rows && *rows > 0 && range / kMostBitsPerKey > static_cast<std::uint64_t>(*rows)))
        return nullptr;
    auto bitmap = std::make_unique<BitmapKeyInMemory>(least, range, memory);
    std::size_t bytes = bitmap->bytes();
    bool complete = false;
    visit_query_rows(parent_key_bitmap_query(key, schema, least, static_cast<std::int64_t>(range)),
                     {BYTEAOID}, [&](const Datum *values, const bool *nulls) {
                         complete = !nulls[0] && copy_bitmap(values[0], least, range,
                                                             bitmap->words(), bytes);
                         return true;
                     });
    if (!complete)
        throw Error(kInternalError, "fkdoctor's bitmap of a parent's keys has an unexpected form");
    return bitmap;
}

// Text keys go straight into their set, which refuses what does not fit.
std::unique_ptr<KeyInMemory> load_text_key(const ForeignKey &key, KeyKind kind,
                                           std::optional<std::int64_t> parent_rows,
                                           std::size_t max_bytes, KeyMemory &memory)
{
    // Each key takes a word of the arena at least: no more can fit.
    std::size_t most_keys = max_bytes / sizeof(std::uint64_t);
    if (more_rows_than(parent_rows, most_keys))
        return nullptr;
    TextKeySet parents(max_bytes, new_seed(), check_for_interrupts, &memory);
    // Room for the keys the statistics expect, so that the table is not
    // placed again and again as it fills (if it does not fit, it grows).
    if (parent_rows && *parent_rows > 0)
        parents.reserve(static_cast<std::size_t>(*parent_rows));
    std::uint64_t rows = 0;
    bool fits = true;
    LookupBatch<std::string_view> held;
    auto insert = [&](std::string_view key, NoPayload) {
        fits = fits && parents.insert(key) != TextKeySet::Insert::Full;
    };
    visit_query_rows(parent_keys_query(key, static_cast<std::int64_t>(most_keys) + 1),
                     column_types(key, Side::Parent),
                     [&](const Datum *row, const bool *) {
                         every_few_rows(rows++);
                         TextKeyBytes bytes(row[0], kind);
                         use_soon(held, parents, bytes.view(), NoPayload{}, insert);
                         return fits;
                     });
    held.drain(insert);
    if (!fits)
        return nullptr;
    parents.fit();
    return std::make_unique<KeyInMemoryOf<std::string_view>>(std::move(parents));
}

// The key's parent keys read into memory; nothing if they do not fit in
// max_bytes. schema: fkdoctor's internal functions'.
std::unique_ptr<KeyInMemory> load_key(const ForeignKey &key, const std::string &schema,
                                      std::size_t max_bytes, KeyMemory &memory)
{
    KeyKind kind = *kind_of(key);
    std::optional<std::int64_t> rows = estimated_rows(key.parent);
    if (kind == KeyKind::Text || kind == KeyKind::Bpchar)
        return load_text_key(key, kind, rows, max_bytes, memory);
    if (kind == KeyKind::Integer) {
        if (auto bitmap = load_bitmap_in_parallel(key, schema, rows, max_bytes, memory))
            return bitmap;
        return load_key_of<IntegerKey>(key, rows, max_bytes, memory);
    }
    return load_key_of<WideKey>(key, rows, max_bytes, memory);
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

LoadedKeys load_parents(const std::vector<const ForeignKey *> &keys, const std::string &schema,
                        std::size_t max_bytes, KeyMemory &memory)
{
    LoadedKeys loaded;
    for (std::size_t n = 0; n < keys.size(); ++n) {
        Stopwatch watch;
        std::unique_ptr<KeyInMemory> key =
            load_key(*keys[n], schema, max_bytes - loaded.bytes, memory);
        if (!key)
            continue;
        loaded.bytes += key->bytes();
        loaded.keys.push_back(keys[n]);
        loaded.in_memory.push_back(std::move(key));
        loaded.slots.push_back(n);
        loaded.load_ms.push_back(watch.elapsed_ms());
    }
    return loaded;
}

// The loaded keys' sets, the memory left shared among their tallies, as
// the scan's parameter. The sets themselves are freed: the parameter holds
// a copy.
std::unique_ptr<KeySetsParameter> key_sets_parameter(LoadedKeys &loaded, std::size_t max_bytes)
{
    std::size_t tally_bytes = (max_bytes - loaded.bytes) / loaded.keys.size();
    FlatKeySetWriter writer;
    for (const auto &key : loaded.in_memory)
        key->add_to(writer, tally_bytes);
    auto parameter = std::make_unique<KeySetsParameter>(writer);
    loaded.in_memory.clear();
    if (!*parameter)
        return nullptr;
    return parameter;
}

// fk_orphan_tally's result: rows, then each key's orphan rows and distinct
// missing keys (-1: they did not fit); NULL for no rows.
std::vector<std::int64_t> tally_of(const Datum *values, const bool *nulls, std::size_t keys)
{
    std::vector<std::int64_t> tally(1 + 2 * keys, 0);
    if (nulls[0])
        return tally;
    Datum array = values[0];
    bool fits = pg_call([array, &tally]() noexcept {
        ArrayType *numbers = DatumGetArrayTypeP(array);
        if (ARR_NDIM(numbers) != 1 || ARR_HASNULL(numbers) ||
            static_cast<std::size_t>(ARR_DIMS(numbers)[0]) != tally.size())
            return false;
        memcpy(tally.data(), ARR_DATA_PTR(numbers), tally.size() * sizeof(std::int64_t));
        return true;
    });
    if (!fits)
        throw Error(kInternalError, "fkdoctor's tally of a scan has an unexpected form");
    return tally;
}

}  // namespace

bool can_check_in_memory(const ForeignKey &key)
{
    return fkdoctor_check_in_memory && kind_of(key).has_value() && internal_schema().has_value();
}

MemoryScanResult scan_keys_in_memory(const std::vector<const ForeignKey *> &keys)
{
    std::size_t max_bytes = memory_allowed();
    MemoryScanResult result;
    result.keys.resize(keys.size());
    std::optional<std::string> schema = internal_schema();
    if (!schema)
        return result;
    KeySetMemory memory;  // first: the sets that use it go before it
    LoadedKeys loaded = load_parents(keys, *schema, max_bytes, memory);
    if (loaded.keys.empty())
        return result;
    std::unique_ptr<KeySetsParameter> parameter = key_sets_parameter(loaded, max_bytes);
    if (!parameter)
        return result;

    Stopwatch scan_watch;
    std::vector<std::int64_t> tally;
    visit_query_rows(orphan_tally_query(loaded.keys, *schema), {INT8ARRAYOID},
                     [&](const Datum *values, const bool *nulls) {
                         tally = tally_of(values, nulls, loaded.keys.size());
                         return true;
                     },
                     parameter->parameters());
    double scan_ms = scan_watch.elapsed_ms();

    result.rows_checked = tally.at(0);
    for (std::size_t n = 0; n < loaded.keys.size(); ++n) {
        KeyCounts counts;
        counts.orphan_rows = tally.at(1 + 2 * n);
        if (tally.at(2 + 2 * n) >= 0)
            counts.missing_keys = tally.at(2 + 2 * n);
        counts.elapsed_ms = loaded.load_ms[n] + scan_ms;
        result.keys[loaded.slots[n]] = counts;
    }
    return result;
}

namespace {

// Reading orphans back by ctid costs more per row than the anti-join: once
// a quarter of the rows read are orphans, past a few batches' worth, the
// anti-join wins. Only orphans come back from the scan, with their ctids:
// the rows read so far are taken to be those of the blocks up to the
// furthest orphan (a parallel scan hands out blocks in order), at the
// child's rows per block as its statistics count them.
constexpr std::int64_t kOrphansBeforeJudging = 30000;
constexpr std::int64_t kMostRowsPerOrphan = 4;

class OrphanDensity {
public:
    explicit OrphanDensity(const SizeEstimate &child)
        : rows_per_block_(child.rows && child.pages > 0
                              ? static_cast<double>(*child.rows) / child.pages
                              : 0)
    {
    }

    // Whether the orphans found so far, the last of them at block, are too
    // many for reading them back.
    bool too_many(std::int64_t orphans, BlockNumber block)
    {
        furthest_block_ = std::max<std::int64_t>(furthest_block_, block);
        double rows_read = (furthest_block_ + 1) * rows_per_block_;
        return rows_per_block_ > 0 && orphans >= kOrphansBeforeJudging &&
               orphans * kMostRowsPerOrphan > rows_read;
    }

private:
    double rows_per_block_;
    std::int64_t furthest_block_ = 0;
};

// How many orphans fk_orphan_locations keeps before it stops, so that its
// memory stays bounded: they take 16 bytes each as they travel, in a few
// copies, and at most a fortieth of maintenance_work_mem (100,000 of them
// at the default 64MB).
std::int64_t most_locations_at_once()
{
    constexpr std::size_t kLocationBytes = 16, kShare = 40;
    return static_cast<std::int64_t>(memory_allowed() / kShare / kLocationBytes);
}

// fk_orphan_locations' result, if it is of that form.
std::optional<OrphanLocations> locations_of(Datum result, KeyMemory &memory)
{
    const char *data = nullptr;
    std::size_t size = 0;
    pg_call([&data, &size, result]() noexcept {
        bytea *bytes = DatumGetByteaPP(result);
        data = VARDATA_ANY(bytes);
        size = VARSIZE_ANY_EXHDR(bytes);
    });
    // Copied to words: the bytes are 4 into their block, not aligned to 8.
    std::pmr::vector<std::uint64_t> words(size / sizeof(std::uint64_t) + 1, &memory);
    std::memcpy(words.data(), data, size);
    return OrphanLocations::deserialize(words.data(), size, &memory);
}

// The key's orphans found in one scan whose lookups are made together
// (fk_orphan_locations) and spooled: true if they are all there, false if
// the anti-join would read them faster (as the filter's rule judges it, at
// the end); nothing if they were too many to keep: the filter, which spills
// them, must find them.
std::optional<bool> locate_orphans_together(const ForeignKey &key, const std::string &schema,
                                            const KeySetsParameter &parameter,
                                            const SizeEstimate &child, OrphanSpool &spool)
{
    KeySetMemory memory;
    std::optional<OrphanLocations> found;
    bool empty = false;
    visit_query_rows(orphan_locations_query(key, schema, most_locations_at_once()), {BYTEAOID},
                     [&](const Datum *values, const bool *nulls) {
                         empty = nulls[0];
                         if (!empty)
                             found = locations_of(values[0], memory);
                         return true;
                     },
                     parameter.parameters());
    if (empty)
        return true;
    if (!found)
        throw Error(kInternalError, "fkdoctor's orphan locations have an unexpected form");
    if (found->overflowed())
        return std::nullopt;
    auto orphans = static_cast<std::int64_t>(found->locations().size());
    if (child.rows && orphans >= kOrphansBeforeJudging && orphans * kMostRowsPerOrphan > *child.rows)
        return false;
    std::uint64_t added = 0;
    for (const OrphanLocation &location : found->locations()) {
        every_few_rows(added++);
        ItemPointerData ctid;
        ItemPointerSet(&ctid, location.row.block, location.row.offset);
        spool.add(location.table, &ctid);
    }
    return true;
}

}  // namespace

bool spool_orphans_in_memory(const ForeignKey &key, std::optional<std::int64_t> limit,
                             OrphanSpool &spool)
{
    std::optional<std::string> schema = internal_schema();
    if (!schema)
        return false;
    KeySetMemory memory;
    LoadedKeys loaded = load_parents({&key}, *schema, memory_allowed(), memory);
    if (loaded.keys.empty())
        return false;
    bool batched = loaded.in_memory.front()->worth_batching();
    std::unique_ptr<KeySetsParameter> parameter = key_sets_parameter(loaded, memory_allowed());
    if (!parameter)
        return false;
    SizeEstimate child = estimated_size(key.child);
    // Without a limit, a hash set's lookups are made together; a bitmap's
    // cost nothing to make one by one, and a limit stops the filter early.
    if (batched && !limit)
        if (std::optional<bool> located =
                locate_orphans_together(key, *schema, *parameter, child, spool))
            return *located;
    OrphanDensity density(child);
    std::int64_t wanted = limit.value_or(std::numeric_limits<std::int64_t>::max());
    std::int64_t found = 0;
    bool anti_join_wins = false;
    // The planner cannot know that few rows pass fk_row_is_orphan (it takes
    // a third), and would not let workers send them all: sending one costs
    // next to nothing here. Past a quarter of the rows the check stops.
    with_settings({{"parallel_tuple_cost", "0"}}, [&] {
        visit_query_rows(orphan_filter_query(key, *schema), {OIDOID, TIDOID},
                         [&](const Datum *values, const bool *) {
                             every_few_rows(found++);
                             auto *ctid = reinterpret_cast<ItemPointer>(DatumGetPointer(values[1]));
                             spool.add(DatumGetObjectId(values[0]), ctid);
                             anti_join_wins =
                                 density.too_many(found, ItemPointerGetBlockNumber(ctid));
                             return found < wanted && !anti_join_wins;
                         },
                         parameter->parameters());
    });
    return !anti_join_wins;
}

}  // namespace fkd
