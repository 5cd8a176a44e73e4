#include "core/table_tally.hpp"

#include <cstring>
#include <optional>

namespace fkd {

namespace {

constexpr std::uint64_t kTallyMagic = 0x01796C6C6174646BULL;  // "kdtally", version 1

constexpr std::size_t kWord = sizeof(std::uint64_t);

// A missing key as words: an integer or a wide key as it is, text as its
// length and its bytes, padded to a whole word.
std::size_t words_of(IntegerKey) { return 1; }
std::size_t words_of(const WideKey &) { return 2; }
std::size_t words_of(std::string_view key) { return 1 + (key.size() + kWord - 1) / kWord; }

void put_key(IntegerKey key, std::uint64_t *out) { std::memcpy(out, &key, kWord); }
void put_key(const WideKey &key, std::uint64_t *out) { std::memcpy(out, &key, 2 * kWord); }
void put_key(std::string_view key, std::uint64_t *out)
{
    out[0] = key.size();
    out[words_of(key) - 1] = 0;  // the padding, when there is some
    std::memcpy(out + 1, key.data(), key.size());
}

// Reads the key at words[at] (of count words), or nothing if it runs past
// the end; at moves past it.
template <typename Key>
std::optional<Key> take_key(const std::uint64_t *words, std::size_t count, std::size_t &at);

template <>
std::optional<IntegerKey> take_key<IntegerKey>(const std::uint64_t *words, std::size_t count,
                                               std::size_t &at)
{
    if (at >= count)
        return std::nullopt;
    return static_cast<IntegerKey>(words[at++]);
}

template <>
std::optional<WideKey> take_key<WideKey>(const std::uint64_t *words, std::size_t count,
                                         std::size_t &at)
{
    if (count - at < 2)
        return std::nullopt;
    WideKey key{words[at], words[at + 1]};
    at += 2;
    return key;
}

template <>
std::optional<std::string_view> take_key<std::string_view>(const std::uint64_t *words,
                                                           std::size_t count, std::size_t &at)
{
    if (at >= count || words[at] > (count - at - 1) * kWord)
        return std::nullopt;
    std::string_view key(reinterpret_cast<const char *>(words + at + 1),
                         static_cast<std::size_t>(words[at]));
    at += words_of(key);
    return key;
}

TallyKind kind_of_set(FlatSetKind kind)
{
    switch (kind) {
    case FlatSetKind::WideHash:
        return TallyKind::Wide;
    case FlatSetKind::TextHash:
        return TallyKind::Text;
    default:
        return TallyKind::Integer;
    }
}

}  // namespace

TallyShapes shapes_of(const FlatKeySets &sets, KeyMemory *memory)
{
    TallyShapes shapes(memory);
    for (const FlatKeySet &set : sets)
        shapes.push_back({kind_of_set(set.kind), set.tally_bytes});
    return shapes;
}

TableTally::TableTally(const TallyShapes &shapes, HashSeed seed, KeyMemory *memory)
    : shapes_(shapes, memory), tallies_(memory), memory_(memory)
{
    tallies_.reserve(shapes.size());
    for (const TallyShape &shape : shapes) {
        auto bytes = static_cast<std::size_t>(shape.bytes);
        switch (shape.kind) {
        case TallyKind::Integer:
            tallies_.emplace_back(std::in_place_type<OrphanTally<IntegerKey>>, bytes, seed,
                                  InterruptCheck{}, memory);
            break;
        case TallyKind::Wide:
            tallies_.emplace_back(std::in_place_type<OrphanTally<WideKey>>, bytes, seed,
                                  InterruptCheck{}, memory);
            break;
        case TallyKind::Text:
            tallies_.emplace_back(std::in_place_type<OrphanTally<std::string_view>>, bytes, seed,
                                  InterruptCheck{}, memory);
            break;
        }
    }
}

void TableTally::add_orphan(std::size_t key, IntegerKey missing)
{
    std::get<OrphanTally<IntegerKey>>(tallies_[key]).add_orphan(missing);
}

void TableTally::add_orphan(std::size_t key, const WideKey &missing)
{
    std::get<OrphanTally<WideKey>>(tallies_[key]).add_orphan(missing);
}

void TableTally::add_orphan(std::size_t key, std::string_view missing)
{
    std::get<OrphanTally<std::string_view>>(tallies_[key]).add_orphan(missing);
}

bool TableTally::merge(const TableTally &other)
{
    if (other.shapes_ != shapes_)
        return false;
    rows_ += other.rows_;
    for (std::size_t n = 0; n < tallies_.size(); ++n)
        std::visit(
            [&](auto &t) {
                const auto &theirs = std::get<std::decay_t<decltype(t)>>(other.tallies_[n]);
                auto missing = theirs.distinct_missing(memory_);
                t.merge(theirs.orphan_rows(), theirs.overflowed(), missing.data(), missing.size());
            },
            tallies_[n]);
    return true;
}

// Layout, in 8-byte words: magic, key count, rows; then for each key its
// kind, its tally's bytes, its orphan rows, whether its missing keys
// overflowed, their count, and the keys (none when overflowed).
constexpr std::size_t kWordsPerTally = 5;

namespace {

// A tally's missing keys, none if they overflowed.
template <typename Tally>
auto missing_of(const Tally &tally, KeyMemory *memory)
{
    auto missing = tally.distinct_missing(memory);
    if (tally.overflowed())
        missing.clear();
    return missing;
}

}  // namespace

std::size_t TableTally::serialized_bytes() const
{
    std::size_t words = 3;
    for (const Tally &tally : tallies_)
        std::visit(
            [&](const auto &t) {
                words += kWordsPerTally;
                for (const auto &key : missing_of(t, memory_))
                    words += words_of(key);
            },
            tally);
    return words * kWord;
}

void TableTally::serialize(void *out) const
{
    auto *words = static_cast<std::uint64_t *>(out);
    std::size_t at = 0;
    words[at++] = kTallyMagic;
    words[at++] = tallies_.size();
    words[at++] = static_cast<std::uint64_t>(rows_);
    for (std::size_t n = 0; n < tallies_.size(); ++n)
        std::visit(
            [&](const auto &t) {
                auto missing = missing_of(t, memory_);
                words[at++] = static_cast<std::uint64_t>(shapes_[n].kind);
                words[at++] = shapes_[n].bytes;
                words[at++] = static_cast<std::uint64_t>(t.orphan_rows());
                words[at++] = t.overflowed() ? 1 : 0;
                words[at++] = missing.size();
                for (const auto &key : missing) {
                    put_key(key, words + at);
                    at += words_of(key);
                }
            },
            tallies_[n]);
}

namespace {

// One tally as read, before any of it is added.
using ReadKeys = std::variant<std::pmr::vector<IntegerKey>, std::pmr::vector<WideKey>,
                              std::pmr::vector<std::string_view>>;
struct ReadTally {
    TallyShape shape;
    std::int64_t orphan_rows;
    bool overflowed;
    ReadKeys keys;
};

ReadKeys keys_of_kind(TallyKind kind, KeyMemory *memory)
{
    switch (kind) {
    case TallyKind::Wide:
        return std::pmr::vector<WideKey>(memory);
    case TallyKind::Text:
        return std::pmr::vector<std::string_view>(memory);
    default:
        return std::pmr::vector<IntegerKey>(memory);
    }
}

// The tally at words[at], every count and length checked against the words
// there are; at moves past it.
std::optional<ReadTally> read_tally(const std::uint64_t *words, std::size_t count,
                                    std::size_t &at, KeyMemory *memory)
{
    if (count - at < kWordsPerTally || words[at] > 2 || words[at + 3] > 1)
        return std::nullopt;
    auto kind = static_cast<TallyKind>(words[at]);
    ReadTally tally{{kind, words[at + 1]},
                    static_cast<std::int64_t>(words[at + 2]),
                    words[at + 3] == 1,
                    keys_of_kind(kind, memory)};
    std::uint64_t keys = words[at + 4];
    at += kWordsPerTally;
    if (keys > count - at)  // every key takes a word at least
        return std::nullopt;
    bool complete = std::visit(
        [&](auto &out) {
            using Key = typename std::decay_t<decltype(out)>::value_type;
            for (std::uint64_t n = 0; n < keys; ++n) {
                std::optional<Key> key = take_key<Key>(words, count, at);
                if (!key)
                    return false;
                out.push_back(*key);
            }
            return true;
        },
        tally.keys);
    if (!complete)
        return std::nullopt;
    return tally;
}

}  // namespace

std::optional<TableTally> TableTally::deserialize(const void *data, std::size_t size,
                                                  HashSeed seed, KeyMemory *memory)
{
    if (reinterpret_cast<std::uintptr_t>(data) % alignof(std::uint64_t) != 0 || size % kWord != 0)
        return std::nullopt;
    const auto *words = static_cast<const std::uint64_t *>(data);
    std::size_t count = size / kWord;
    if (count < 3 || words[0] != kTallyMagic || words[1] > count / kWordsPerTally)
        return std::nullopt;
    std::pmr::vector<ReadTally> read(memory);
    TallyShapes shapes(memory);
    std::size_t at = 3;
    for (std::uint64_t n = 0; n < words[1]; ++n) {
        std::optional<ReadTally> tally = read_tally(words, count, at, memory);
        if (!tally)
            return std::nullopt;
        shapes.push_back(tally->shape);
        read.push_back(std::move(*tally));
    }
    if (at != count)
        return std::nullopt;
    TableTally tally(shapes, seed, memory);
    tally.rows_ = static_cast<std::int64_t>(words[2]);
    for (std::size_t n = 0; n < read.size(); ++n)
        std::visit(
            [&](auto &t) {
                using Key = typename std::decay_t<decltype(t)>::key_type;
                const auto &keys = std::get<std::pmr::vector<Key>>(read[n].keys);
                t.merge(read[n].orphan_rows, read[n].overflowed, keys.data(), keys.size());
            },
            tally.tallies_[n]);
    return tally;
}

std::vector<std::int64_t> TableTally::result() const
{
    std::vector<std::int64_t> result{rows_};
    for (const Tally &tally : tallies_)
        std::visit(
            [&](const auto &t) {
                result.push_back(t.orphan_rows());
                result.push_back(t.missing_keys().value_or(-1));
            },
            tally);
    return result;
}

}  // namespace fkd
