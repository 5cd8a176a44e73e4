#include "core/flat_key_sets.hpp"

#include <cstring>
#include <initializer_list>

#include "core/key_hash.hpp"

namespace fkd {

namespace {

// "fkdsets" and a format version.
constexpr std::uint64_t kMagic = 0x0173746573646B66ULL;

// Reads words from a block, refusing to read past its end.
class WordReader {
public:
    WordReader(const std::uint64_t *words, std::size_t count) : words_(words), count_(count) {}

    std::optional<std::uint64_t> next()
    {
        if (at_ >= count_)
            return std::nullopt;
        return words_[at_++];
    }
    // The next count words, skipped; nothing if fewer are left.
    const std::uint64_t *take(std::uint64_t count)
    {
        if (count > count_ - at_)
            return nullptr;
        const std::uint64_t *start = words_ + at_;
        at_ += count;
        return start;
    }
    bool at_end() const { return at_ == count_; }

private:
    const std::uint64_t *words_;
    std::size_t count_;
    std::size_t at_ = 0;
};

bool is_power_of_two(std::uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

int log2_of(std::uint64_t n)
{
    int log = 0;
    while (n > 1) {
        n >>= 1;
        ++log;
    }
    return log;
}

constexpr std::uint64_t kMostSlots = std::uint64_t{1} << 58;

// A table's slot count as the sets make them: none, or a power of two of
// at least kMinimumSlots (so that hash >> shift is always a slot).
bool is_slot_count(std::uint64_t count)
{
    return count == 0 || (is_power_of_two(count) && count >= kMinimumSlots && count <= kMostSlots);
}

// A hash set's fields: no slots, or a power of two of them (at least 16,
// as the sets make them) whose home slots, hash >> shift, are all in range.
template <typename Key>
std::optional<HashLookup<Key>> read_hash(WordReader &reader)
{
    std::optional<std::uint64_t> mask = reader.next(), multiplier = reader.next(),
                                 second = reader.next(), empty = reader.next(),
                                 slot_count = reader.next();
    if (!slot_count || *empty > 1 || !is_slot_count(*slot_count))
        return std::nullopt;
    HashLookup<Key> lookup;
    lookup.secret = {*mask, *multiplier, *second};
    lookup.holds_empty_marker = *empty == 1;
    lookup.slot_count = static_cast<std::size_t>(*slot_count);
    lookup.shift = 64 - log2_of(*slot_count);
    const std::uint64_t *slots = reader.take(*slot_count * (sizeof(Key) / sizeof(std::uint64_t)));
    if (!slots)
        return std::nullopt;
    lookup.slots = reinterpret_cast<const Key *>(slots);
    return lookup;
}

std::optional<BitmapLookup> read_bitmap(WordReader &reader)
{
    std::optional<std::uint64_t> least = reader.next(), range = reader.next();
    if (!range)
        return std::nullopt;
    BitmapLookup lookup;
    lookup.least = static_cast<IntegerKey>(*least);
    lookup.range = *range;
    lookup.words = reader.take(*range == 0 ? 0 : *range / 64 + 1);
    if (!lookup.words && *range != 0)
        return std::nullopt;
    return lookup;
}

// A text set's fields: its secret, its table (a word a slot), its entries
// and its arena, a whole number of words. Each
// entry number and place is checked when it is read (TextLookup).
std::optional<TextLookup> read_text(WordReader &reader)
{
    std::optional<std::uint64_t> mask = reader.next(), multiplier = reader.next(),
                                 second = reader.next(), slot_count = reader.next(),
                                 entry_count = reader.next(), arena_bytes = reader.next();
    if (!arena_bytes || *arena_bytes % sizeof(std::uint64_t) != 0 ||
        !is_slot_count(*slot_count) || *entry_count > kMostSlots)
        return std::nullopt;
    TextLookup lookup;
    lookup.secret = {*mask, *multiplier, *second};
    lookup.slot_count = static_cast<std::size_t>(*slot_count);
    lookup.shift = 64 - log2_of(*slot_count);
    lookup.entry_count = static_cast<std::size_t>(*entry_count);
    lookup.arena_bytes = static_cast<std::size_t>(*arena_bytes);
    const std::uint64_t *table = reader.take(*slot_count);
    const std::uint64_t *entries = reader.take(*entry_count * 2);
    const std::uint64_t *arena = reader.take(*arena_bytes / sizeof(std::uint64_t));
    if (!table || !entries || !arena)
        return std::nullopt;
    lookup.table = table;
    lookup.entries = reinterpret_cast<const TextEntry *>(entries);
    lookup.arena = reinterpret_cast<const unsigned char *>(arena);
    return lookup;
}

std::optional<FlatKeySet> read_set(WordReader &reader)
{
    std::optional<std::uint64_t> kind = reader.next(), tally_bytes = reader.next();
    if (!tally_bytes)
        return std::nullopt;
    FlatKeySet set{static_cast<FlatSetKind>(*kind), {}, {}, {}, *tally_bytes};
    switch (set.kind) {
    case FlatSetKind::IntegerBitmap:
        if (auto bitmap = read_bitmap(reader)) {
            set.integer.is_bitmap = true;
            set.integer.bitmap = *bitmap;
            return set;
        }
        return std::nullopt;
    case FlatSetKind::IntegerHash:
        if (auto hash = read_hash<IntegerKey>(reader)) {
            set.integer.is_bitmap = false;
            set.integer.hash = *hash;
            return set;
        }
        return std::nullopt;
    case FlatSetKind::WideHash:
        if (auto hash = read_hash<WideKey>(reader)) {
            set.wide = *hash;
            return set;
        }
        return std::nullopt;
    case FlatSetKind::TextHash:
        if (auto text = read_text(reader)) {
            set.text = *text;
            return set;
        }
        return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace

void FlatKeySetWriter::add(const IntegerLookup &set, std::uint64_t tally_bytes)
{
    FlatSetKind kind = set.is_bitmap ? FlatSetKind::IntegerBitmap : FlatSetKind::IntegerHash;
    sets_.push_back({kind, set, {}, {}, tally_bytes});
}

void FlatKeySetWriter::add(const HashLookup<WideKey> &set, std::uint64_t tally_bytes)
{
    sets_.push_back({FlatSetKind::WideHash, {}, set, {}, tally_bytes});
}

void FlatKeySetWriter::add(const TextLookup &set, std::uint64_t tally_bytes)
{
    sets_.push_back({FlatSetKind::TextHash, {}, {}, set, tally_bytes});
}

namespace {

// Writes words at out, or only counts them when out is null.
class WordWriter {
public:
    explicit WordWriter(std::uint64_t *out) : out_(out) {}

    void put(std::initializer_list<std::uint64_t> words) { put(words.begin(), words.size()); }
    void put(const std::uint64_t *words, std::size_t count)
    {
        if (out_ && count > 0)
            std::memcpy(out_ + written_, words, count * sizeof(std::uint64_t));
        written_ += count;
    }
    std::size_t written() const { return written_; }

private:
    std::uint64_t *out_;
    std::size_t written_ = 0;
};

template <typename Key>
void write_hash(const HashLookup<Key> &hash, WordWriter &writer)
{
    writer.put({hash.secret.mask, hash.secret.multiplier, hash.secret.second_multiplier,
                hash.holds_empty_marker ? 1u : 0u, hash.slot_count});
    writer.put(reinterpret_cast<const std::uint64_t *>(hash.slots),
               hash.slot_count * (sizeof(Key) / sizeof(std::uint64_t)));
}

void write_set(const FlatKeySet &set, WordWriter &writer)
{
    writer.put({static_cast<std::uint64_t>(set.kind), set.tally_bytes});
    switch (set.kind) {
    case FlatSetKind::IntegerBitmap: {
        const BitmapLookup &bitmap = set.integer.bitmap;
        writer.put({static_cast<std::uint64_t>(bitmap.least), bitmap.range});
        writer.put(bitmap.words, bitmap.range == 0 ? 0 : bitmap.range / 64 + 1);
        break;
    }
    case FlatSetKind::IntegerHash:
        write_hash(set.integer.hash, writer);
        break;
    case FlatSetKind::WideHash:
        write_hash(set.wide, writer);
        break;
    case FlatSetKind::TextHash: {
        const TextLookup &text = set.text;
        writer.put({text.secret.mask, text.secret.multiplier, text.secret.second_multiplier,
                    text.slot_count, text.entry_count, text.arena_bytes});
        writer.put(text.table, text.slot_count);
        writer.put(reinterpret_cast<const std::uint64_t *>(text.entries), text.entry_count * 2);
        writer.put(reinterpret_cast<const std::uint64_t *>(text.arena),
                   text.arena_bytes / sizeof(std::uint64_t));
        break;
    }
    }
}

std::size_t write_sets(const std::vector<FlatKeySet> &sets, std::uint64_t *out)
{
    WordWriter writer(out);
    writer.put({kMagic, sets.size()});
    for (const FlatKeySet &set : sets)
        write_set(set, writer);
    return writer.written() * sizeof(std::uint64_t);
}

}  // namespace

std::size_t FlatKeySetWriter::bytes() const { return write_sets(sets_, nullptr); }

void FlatKeySetWriter::write(void *out) const
{
    write_sets(sets_, static_cast<std::uint64_t *>(out));
}

std::optional<FlatKeySets> read_flat_key_sets(const void *data, std::size_t size,
                                              KeyMemory *memory)
{
    if (reinterpret_cast<std::uintptr_t>(data) % alignof(std::uint64_t) != 0 ||
        size % sizeof(std::uint64_t) != 0)
        return std::nullopt;
    WordReader reader(static_cast<const std::uint64_t *>(data), size / sizeof(std::uint64_t));
    std::optional<std::uint64_t> magic = reader.next(), keys = reader.next();
    if (!keys || *magic != kMagic || *keys == 0 || *keys > size)
        return std::nullopt;
    FlatKeySets sets(memory);
    for (std::uint64_t n = 0; n < *keys; ++n) {
        std::optional<FlatKeySet> set = read_set(reader);
        if (!set)
            return std::nullopt;
        sets.push_back(*set);
    }
    if (!reader.at_end())
        return std::nullopt;
    return sets;
}

}  // namespace fkd
