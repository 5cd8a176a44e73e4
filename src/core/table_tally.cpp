#include "core/table_tally.hpp"

#include <cstring>
#include <optional>

namespace fkd {

namespace {

constexpr std::uint64_t kTallyMagic = 0x01796C6C6174646BULL;  // "kdtally", version 1

template <typename Key>
constexpr std::size_t words_per_key(const OrphanTally<Key> &)
{
    return sizeof(Key) / sizeof(std::uint64_t);
}

}  // namespace

TallyShapes shapes_of(const FlatKeySets &sets, KeyMemory *memory)
{
    TallyShapes shapes(memory);
    for (const FlatKeySet &set : sets)
        shapes.push_back({set.kind == FlatSetKind::WideHash, set.tally_bytes});
    return shapes;
}

TableTally::TableTally(const TallyShapes &shapes, HashSeed seed, KeyMemory *memory)
    : shapes_(shapes, memory), tallies_(memory), memory_(memory)
{
    tallies_.reserve(shapes.size());
    for (const TallyShape &shape : shapes) {
        auto bytes = static_cast<std::size_t>(shape.bytes);
        if (shape.wide)
            tallies_.emplace_back(std::in_place_type<OrphanTally<WideKey>>, bytes, seed,
                                  InterruptCheck{}, memory);
        else
            tallies_.emplace_back(std::in_place_type<OrphanTally<IntegerKey>>, bytes, seed,
                                  InterruptCheck{}, memory);
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

// Layout, in 8-byte words: magic, key count, rows; then for each key
// whether it is wide, its tally's bytes, its orphan rows, whether its
// missing keys overflowed, their count, and the keys (none when overflowed).
constexpr std::size_t kWordsPerTally = 5;

std::size_t TableTally::serialized_bytes() const
{
    std::size_t words = 3;
    for (const Tally &tally : tallies_)
        std::visit(
            [&](const auto &t) {
                words += kWordsPerTally;
                if (!t.overflowed())
                    words += static_cast<std::size_t>(*t.missing_keys()) * words_per_key(t);
            },
            tally);
    return words * sizeof(std::uint64_t);
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
                auto missing = t.distinct_missing(memory_);
                if (t.overflowed())
                    missing.clear();
                words[at++] = shapes_[n].wide ? 1 : 0;
                words[at++] = shapes_[n].bytes;
                words[at++] = static_cast<std::uint64_t>(t.orphan_rows());
                words[at++] = t.overflowed() ? 1 : 0;
                words[at++] = missing.size();
                if (!missing.empty())
                    std::memcpy(words + at, missing.data(), missing.size() * sizeof missing[0]);
                at += missing.size() * words_per_key(t);
            },
            tallies_[n]);
}

std::optional<TableTally> TableTally::deserialize(const void *data, std::size_t size,
                                                  HashSeed seed, KeyMemory *memory)
{
    if (reinterpret_cast<std::uintptr_t>(data) % alignof(std::uint64_t) != 0 ||
        size % sizeof(std::uint64_t) != 0)
        return std::nullopt;
    const auto *words = static_cast<const std::uint64_t *>(data);
    std::size_t count = size / sizeof(std::uint64_t);
    if (count < 3 || words[0] != kTallyMagic || words[1] > count / kWordsPerTally)
        return std::nullopt;
    // The shapes first, every count checked against what is left.
    TallyShapes shapes(memory);
    std::size_t at = 3;
    for (std::uint64_t n = 0; n < words[1]; ++n) {
        if (count - at < kWordsPerTally || words[at] > 1 || words[at + 3] > 1)
            return std::nullopt;
        std::size_t per_key = words[at] == 1 ? 2 : 1;
        std::uint64_t keys = words[at + 4];
        if (keys > (count - at - kWordsPerTally) / per_key)
            return std::nullopt;
        shapes.push_back({words[at] == 1, words[at + 1]});
        at += kWordsPerTally + static_cast<std::size_t>(keys) * per_key;
    }
    if (at != count)
        return std::nullopt;
    TableTally tally(shapes, seed, memory);
    tally.rows_ = static_cast<std::int64_t>(words[2]);
    at = 3;
    for (Tally &entry : tally.tallies_)
        std::visit(
            [&](auto &t) {
                using Key = typename std::decay_t<decltype(t)>::key_type;
                std::size_t keys = static_cast<std::size_t>(words[at + 4]);
                t.merge(static_cast<std::int64_t>(words[at + 2]), words[at + 3] == 1,
                        reinterpret_cast<const Key *>(words + at + kWordsPerTally), keys);
                at += kWordsPerTally + keys * words_per_key(t);
            },
            entry);
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
