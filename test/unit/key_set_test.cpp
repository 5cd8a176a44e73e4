#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "core/key_set.hpp"

namespace fkd {
namespace {

constexpr IntegerKey kMin = std::numeric_limits<IntegerKey>::min();
constexpr IntegerKey kMax = std::numeric_limits<IntegerKey>::max();
using IntegerSet = KeyHashSet<IntegerKey>;
using WideSet = KeyHashSet<WideKey>;
constexpr HashSeed kSeed{0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL};
const InterruptCheck kNoCheck;

TEST(KeyHashSet, AddsEachKeyOnceTheEmptyMarkerToo)
{
    IntegerSet set(1 << 20, kSeed);
    EXPECT_EQ(set.insert(5), IntegerSet::Insert::Added);
    EXPECT_EQ(set.insert(5), IntegerSet::Insert::Present);
    EXPECT_EQ(set.insert(kMin), IntegerSet::Insert::Added);
    EXPECT_EQ(set.insert(kMin), IntegerSet::Insert::Present);
    EXPECT_EQ(set.size(), 2u);
    EXPECT_TRUE(set.contains(kMin));
    EXPECT_FALSE(set.contains(6));

    WideSet wide(1 << 20, kSeed);
    WideKey marker{std::numeric_limits<std::uint64_t>::max(), 0x5A5A5A5A5A5A5A5AULL};
    EXPECT_FALSE(wide.contains(marker));
    EXPECT_EQ(wide.insert(marker), WideSet::Insert::Added);
    EXPECT_EQ(wide.insert(WideKey{0, 0}), WideSet::Insert::Added);
    EXPECT_TRUE(wide.contains(marker));
    EXPECT_TRUE(wide.contains(WideKey{0, 0}));
    EXPECT_FALSE(wide.contains(WideKey{0, 1}));
}

TEST(KeyHashSet, HoldsManyKeysAcrossGrowth)
{
    IntegerSet set(1 << 24, kSeed);
    WideSet wide(1 << 24, kSeed);
    for (IntegerKey value = -50000; value < 50000; value += 3) {
        ASSERT_EQ(set.insert(value * 1024), IntegerSet::Insert::Added);
        ASSERT_EQ(wide.insert(WideKey{7, static_cast<std::uint64_t>(value)}),
                  WideSet::Insert::Added);
    }
    for (IntegerKey value = -50000; value < 50000; ++value) {
        bool expected = (value + 50000) % 3 == 0;
        ASSERT_EQ(set.contains(value * 1024), expected) << value;
        ASSERT_EQ(wide.contains(WideKey{7, static_cast<std::uint64_t>(value)}), expected) << value;
        if (value != 7) {  // {7, 7} is in the set
            ASSERT_FALSE(wide.contains(WideKey{static_cast<std::uint64_t>(value), 7})) << value;
        }
    }
}

TEST(KeyHashSet, RefusesToGrowPastItsLimit)
{
    IntegerSet set(16 * sizeof(IntegerKey), kSeed);  // room for 8 keys
    for (IntegerKey value = 0; value < 8; ++value)
        ASSERT_EQ(set.insert(value), IntegerSet::Insert::Added);
    EXPECT_EQ(set.insert(100), IntegerSet::Insert::Full);
    EXPECT_FALSE(set.contains(100));
    EXPECT_LE(set.bytes(), 16 * sizeof(IntegerKey));
}

TEST(IntegerKeySet, DenseKeysMakeABitmap)
{
    KeyVector<IntegerKey> keys;
    for (IntegerKey key = 1; key <= 100000; ++key)
        if (key % 7 != 0)
            keys.push_back(key);
    auto set = IntegerKeySet::build(keys, 1 << 20, kSeed, kNoCheck);
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->is_bitmap());
    EXPECT_LE(set->bytes(), 100000u / 8 + 8);
    for (IntegerKey key = -5; key <= 100005; ++key)
        ASSERT_EQ(set->contains(key), key >= 1 && key <= 100000 && key % 7 != 0) << key;
}

TEST(IntegerKeySet, SparseKeysMakeAHashSet)
{
    KeyVector<IntegerKey> keys = {kMin, -1, 0, 1000000007, kMax};
    auto set = IntegerKeySet::build(keys, 1 << 20, kSeed, kNoCheck);
    ASSERT_TRUE(set);
    EXPECT_FALSE(set->is_bitmap());
    for (IntegerKey key : keys)
        EXPECT_TRUE(set->contains(key)) << key;
    for (IntegerKey key : {kMin + 1, IntegerKey{1}, IntegerKey{-2}, kMax - 1})
        EXPECT_FALSE(set->contains(key)) << key;
}

TEST(IntegerKeySet, NoKeysContainNothing)
{
    auto set = IntegerKeySet::build({}, 0, kSeed, kNoCheck);
    ASSERT_TRUE(set);
    EXPECT_FALSE(set->contains(0));
    EXPECT_FALSE(set->contains(kMin));
}

TEST(ParentKeySets, TooManyKeysForTheMemoryBuildNothing)
{
    KeyVector<IntegerKey> keys;
    KeyVector<WideKey> wide_keys;
    for (IntegerKey key = 0; key < 1000; ++key) {
        keys.push_back(key * 1000003);
        wide_keys.push_back(WideKey{1, static_cast<std::uint64_t>(key)});
    }
    EXPECT_FALSE(IntegerKeySet::build(keys, 1024, kSeed, kNoCheck));
    EXPECT_FALSE(WideKeySet::build(wide_keys, 1024, kSeed, kNoCheck));
    auto wide = WideKeySet::build(wide_keys, 1 << 20, kSeed, kNoCheck);
    ASSERT_TRUE(wide);
    EXPECT_TRUE(wide->contains(WideKey{1, 999}));
    EXPECT_FALSE(wide->contains(WideKey{1, 1000}));
}

TEST(OrphanTally, CountsRowsAndDistinctMissingKeys)
{
    OrphanTally<IntegerKey> tally(1 << 20, kSeed);
    for (IntegerKey value : {7, 8, 7, 7, 9})
        tally.add_orphan(value);
    EXPECT_EQ(tally.orphan_rows(), 5);
    EXPECT_EQ(tally.missing_keys(), 3);
}

TEST(OrphanTally, GivesUpOnDistinctKeysPastItsMemoryButCountsRows)
{
    OrphanTally<WideKey> tally(16 * sizeof(WideKey), kSeed);
    for (std::uint64_t value = 0; value < 100; ++value)
        tally.add_orphan(WideKey{value, value});
    EXPECT_EQ(tally.orphan_rows(), 100);
    EXPECT_FALSE(tally.missing_keys());
}

// The keys that flooded the fixed Fibonacci hash: j times the inverse of its
// multiplier (mod 2^64) hashed to j, so all of them wanted the same slot.
constexpr std::uint64_t kFibonacci = 0x9E3779B97F4A7C15ULL;

constexpr std::uint64_t inverse_of(std::uint64_t odd)
{
    std::uint64_t inverse = odd;  // right to 3 bits; each step doubles that
    for (int step = 0; step < 5; ++step)
        inverse *= 2 - odd * inverse;
    return inverse;
}
static_assert(inverse_of(kFibonacci) * kFibonacci == 1, "the modular inverse");

KeyVector<IntegerKey> flood_keys(std::size_t count)
{
    KeyVector<IntegerKey> keys;
    for (std::uint64_t j = 1; j <= count; ++j)
        keys.push_back(static_cast<IntegerKey>(j * inverse_of(kFibonacci)));
    return keys;
}

// The same for the old WideKey hash: with first = 0, it came to the
// Fibonacci hash of (second * C) ^ ((second * C) >> 32), so these seconds
// made it hash to j as well.
KeyVector<WideKey> wide_flood_keys(std::size_t count)
{
    KeyVector<WideKey> keys;
    for (IntegerKey target : flood_keys(count)) {
        std::uint64_t mixed = static_cast<std::uint64_t>(target);
        mixed ^= mixed >> 32;
        keys.push_back(WideKey{0, mixed * inverse_of(0xC2B2AE3D27D4EB4FULL)});
    }
    return keys;
}

std::vector<HashSeed> some_seeds()
{
    std::random_device random;
    auto word = [&random] { return std::uint64_t{random()} << 32 | random(); };
    return {HashSeed{}, kSeed, HashSeed{0, kFibonacci}, HashSeed{~0ULL, ~0ULL},
            HashSeed{word(), word()}, HashSeed{word(), word()}};
}

// Whatever the seed, a set takes every key or refuses one, and no insert
// looks at more than kMaxProbes slots: it is never slow.
template <typename Key>
void expect_loaded_or_refused(const KeyVector<Key> &keys, HashSeed seed)
{
    KeyHashSet<Key> set(std::size_t{1} << 30, seed);
    bool refused = false;
    for (const Key &key : keys) {
        if (set.insert(key) == KeyHashSet<Key>::Insert::Full) {
            refused = true;
            break;
        }
    }
    EXPECT_LE(set.longest_probe(), kMaxProbes);
    if (!refused) {
        EXPECT_EQ(set.size(), keys.size());
        for (const Key &key : keys)
            ASSERT_TRUE(set.contains(key));
    }
}

TEST(KeyHashSet, KeysThatFloodedTheFixedHashAreBoundedUnderAnySeed)
{
    KeyVector<IntegerKey> keys = flood_keys(50000);
    KeyVector<WideKey> wide_keys = wide_flood_keys(50000);
    for (HashSeed seed : some_seeds()) {
        expect_loaded_or_refused(keys, seed);
        expect_loaded_or_refused(wide_keys, seed);
    }
}

TEST(KeyHashSet, KeysThatFloodedTheFixedHashSpreadUnderASeed)
{
    // Deterministic: fixed seeds, so fixed probe counts. Random keys at most
    // half full take a few dozen probes at worst; so must these.
    for (HashSeed seed : {kSeed, HashSeed{}, HashSeed{1, 2}}) {
        IntegerSet set(std::size_t{1} << 30, seed);
        for (IntegerKey key : flood_keys(200000))
            ASSERT_EQ(set.insert(key), IntegerSet::Insert::Added);
        EXPECT_LE(set.longest_probe(), 96u);

        WideSet wide(std::size_t{1} << 30, seed);
        for (const WideKey &key : wide_flood_keys(200000))
            ASSERT_EQ(wide.insert(key), WideSet::Insert::Added);
        EXPECT_LE(wide.longest_probe(), 96u);

        auto built = IntegerKeySet::build(flood_keys(200000), std::size_t{1} << 30, seed, kNoCheck);
        ASSERT_TRUE(built);
        EXPECT_FALSE(built->is_bitmap());
        EXPECT_TRUE(built->contains(flood_keys(1).front()));
        EXPECT_FALSE(built->contains(0));
        auto wide_built =
            WideKeySet::build(wide_flood_keys(200000), std::size_t{1} << 30, seed, kNoCheck);
        ASSERT_TRUE(wide_built);
        EXPECT_TRUE(wide_built->contains(wide_flood_keys(1).front()));
        EXPECT_FALSE(wide_built->contains(WideKey{0, 0}));
    }
}

// Keys chosen knowing the seed, all with one home slot: the worst any input
// can do. The set takes kMaxProbes of them and refuses the next.
template <typename Key, typename MakeKey>
KeyVector<Key> keys_with_one_home(HashSeed seed, std::size_t slots, std::size_t count,
                                    MakeKey make_key)
{
    KeyHashSet<Key> probe(slots * sizeof(Key), seed);
    EXPECT_TRUE(probe.reserve(slots / 2));
    std::size_t home = probe.home_slot(make_key(0));
    KeyVector<Key> keys;
    for (std::uint64_t n = 0; keys.size() < count; ++n)
        if (probe.home_slot(make_key(n)) == home)
            keys.push_back(make_key(n));
    return keys;
}

template <typename Key, typename MakeKey>
void expect_refused_past_max_probes(MakeKey make_key)
{
    constexpr std::size_t kSlots = 1024;
    KeyVector<Key> keys = keys_with_one_home<Key>(kSeed, kSlots, kMaxProbes + 50, make_key);
    KeyHashSet<Key> set(kSlots * sizeof(Key), kSeed);  // cannot grow past 1024 slots
    ASSERT_TRUE(set.reserve(kSlots / 2));
    for (std::size_t n = 0; n < kMaxProbes; ++n)
        ASSERT_EQ(set.insert(keys[n]), KeyHashSet<Key>::Insert::Added) << n;
    EXPECT_EQ(set.longest_probe(), kMaxProbes);
    EXPECT_EQ(set.insert(keys[kMaxProbes]), KeyHashSet<Key>::Insert::Full);
    EXPECT_EQ(set.size(), kMaxProbes);
    EXPECT_LE(set.longest_probe(), kMaxProbes);
    for (std::size_t n = 0; n < keys.size(); ++n)
        ASSERT_EQ(set.contains(keys[n]), n < kMaxProbes) << n;
    // Present keys are still found, not refused.
    EXPECT_EQ(set.insert(keys[0]), KeyHashSet<Key>::Insert::Present);

    // Built from such keys, a parent's set is refused: the anti-join takes over.
    // The tally gives up on its distinct count but goes on counting rows.
    OrphanTally<Key> tally(kSlots * sizeof(Key), kSeed);
    for (const Key &key : keys)
        tally.add_orphan(key);
    EXPECT_EQ(tally.orphan_rows(), static_cast<std::int64_t>(keys.size()));
    EXPECT_FALSE(tally.missing_keys());
}

TEST(KeyHashSet, RefusesAKeyPastMaxProbesFromItsSlot)
{
    expect_refused_past_max_probes<IntegerKey>(
        [](std::uint64_t n) { return static_cast<IntegerKey>(n * 1000003); });
    expect_refused_past_max_probes<WideKey>([](std::uint64_t n) { return WideKey{n, ~n}; });
}

TEST(ParentKeySets, KeysCrowdingOneSlotBuildNothing)
{
    // A set of 600 keys has 2048 slots: keys that share a home there.
    KeyVector<IntegerKey> crowded = keys_with_one_home<IntegerKey>(
        kSeed, 2048, 600, [](std::uint64_t n) { return static_cast<IntegerKey>(n << 20); });
    EXPECT_FALSE(IntegerKeySet::build(crowded, std::size_t{1} << 30, kSeed, kNoCheck));
    EXPECT_TRUE(IntegerKeySet::build(crowded, std::size_t{1} << 30, HashSeed{1, 2}, kNoCheck));
    KeyVector<WideKey> wide = keys_with_one_home<WideKey>(
        kSeed, 2048, 600, [](std::uint64_t n) { return WideKey{n, n}; });
    EXPECT_FALSE(WideKeySet::build(wide, std::size_t{1} << 30, kSeed, kNoCheck));
    EXPECT_TRUE(WideKeySet::build(wide, std::size_t{1} << 30, HashSeed{1, 2}, kNoCheck));
}

TEST(KeyHashSet, TwoSeedsPlaceKeysInDifferentSlots)
{
    for (auto [a, b] : {std::pair{kSeed, HashSeed{kSeed.first + 1, kSeed.second}},
                        std::pair{kSeed, HashSeed{kSeed.first, kSeed.second + 1}},
                        std::pair{HashSeed{}, kSeed}}) {
        IntegerSet first(1 << 20, a), second(1 << 20, b), again(1 << 20, a);
        WideSet wide_first(1 << 20, a), wide_second(1 << 20, b);
        for (auto *set : {&first, &second, &again})
            ASSERT_TRUE(set->reserve(1000));
        ASSERT_TRUE(wide_first.reserve(1000));
        ASSERT_TRUE(wide_second.reserve(1000));
        int moved = 0, wide_moved = 0, same_seed_moved = 0;
        for (IntegerKey key = 0; key < 1000; ++key) {
            moved += first.home_slot(key) != second.home_slot(key);
            same_seed_moved += first.home_slot(key) != again.home_slot(key);
            WideKey wide{static_cast<std::uint64_t>(key), 7};
            wide_moved += wide_first.home_slot(wide) != wide_second.home_slot(wide);
        }
        EXPECT_GT(moved, 950);  // 2048 slots: about one key in 2048 stays
        EXPECT_GT(wide_moved, 950);
        EXPECT_EQ(same_seed_moved, 0);
    }
}

TEST(KeyHashSet, OrdinaryKeysTakeFewProbes)
{
    // Sequential, strided and random keys, each set grown to its last
    // doubling: no seed here gets near the bound.
    std::mt19937_64 random(11);
    for (HashSeed seed : {kSeed, HashSeed{}, HashSeed{random(), random()}}) {
        IntegerSet sequential(std::size_t{1} << 30, seed), strided(std::size_t{1} << 30, seed),
            randomly(std::size_t{1} << 30, seed);
        WideSet pairs(std::size_t{1} << 30, seed);
        for (IntegerKey key = 0; key < 200000; ++key) {
            ASSERT_EQ(sequential.insert(key), IntegerSet::Insert::Added);
            ASSERT_EQ(strided.insert(key << 16), IntegerSet::Insert::Added);
            ASSERT_NE(randomly.insert(static_cast<IntegerKey>(random())), IntegerSet::Insert::Full);
            ASSERT_EQ(pairs.insert(WideKey{static_cast<std::uint64_t>(key / 500),
                                           static_cast<std::uint64_t>(key % 500)}),
                      WideSet::Insert::Added);
        }
        EXPECT_LE(sequential.longest_probe(), 96u);
        EXPECT_LE(strided.longest_probe(), 96u);
        EXPECT_LE(randomly.longest_probe(), 96u);
        EXPECT_LE(pairs.longest_probe(), 96u);
    }
}

TEST(ParentKeySets, EmptyMarkersAreKeysLikeAnyOtherUnderAnySeed)
{
    WideKey marker{std::numeric_limits<std::uint64_t>::max(), 0x5A5A5A5A5A5A5A5AULL};
    WideKey next_to_marker{marker.first, marker.second + 1};
    for (HashSeed seed : some_seeds()) {
        auto set = IntegerKeySet::build({kMin, kMin + 1, 0, kMax}, 1 << 20, seed, kNoCheck);
        ASSERT_TRUE(set);
        EXPECT_FALSE(set->is_bitmap());
        for (IntegerKey key : {kMin, kMin + 1, IntegerKey{0}, kMax})
            EXPECT_TRUE(set->contains(key));
        EXPECT_FALSE(set->contains(kMin + 2));
        EXPECT_FALSE(set->contains(kMax - 1));

        auto without = IntegerKeySet::build({kMin + 1, kMax}, 1 << 20, seed, kNoCheck);
        ASSERT_TRUE(without);
        EXPECT_FALSE(without->contains(kMin));

        auto wide = WideKeySet::build({marker, WideKey{0, 0}}, 1 << 20, seed, kNoCheck);
        ASSERT_TRUE(wide);
        EXPECT_TRUE(wide->contains(marker));
        EXPECT_TRUE(wide->contains(WideKey{0, 0}));
        EXPECT_FALSE(wide->contains(next_to_marker));
        auto wide_without = WideKeySet::build({next_to_marker}, 1 << 20, seed, kNoCheck);
        ASSERT_TRUE(wide_without);
        EXPECT_FALSE(wide_without->contains(marker));
        EXPECT_TRUE(wide_without->contains(next_to_marker));

        // A tally counts the marker as one missing key, however often seen,
        // even when its slots are all refused.
        OrphanTally<IntegerKey> tally(0, seed);
        tally.add_orphan(kMin);
        tally.add_orphan(kMin);
        EXPECT_EQ(tally.missing_keys(), 1);
    }
}

struct Cancelled : std::runtime_error {
    Cancelled() : std::runtime_error("cancelled") {}
};

TEST(ParentKeySets, BuildingChecksForInterruptsEveryFewThousandKeys)
{
    KeyVector<IntegerKey> dense, sparse;
    KeyVector<WideKey> wide;
    for (IntegerKey key = 0; key < 20000; ++key) {
        dense.push_back(key);
        sparse.push_back(key * 1000003);
        wide.push_back(WideKey{1, static_cast<std::uint64_t>(key)});
    }
    int calls = 0;
    InterruptCheck count = [&calls] { ++calls; };
    ASSERT_TRUE(IntegerKeySet::build(dense, 1 << 24, kSeed, count)->is_bitmap());
    EXPECT_EQ(calls, 20000 / static_cast<int>(kKeysPerInterruptCheck));
    calls = 0;
    ASSERT_FALSE(IntegerKeySet::build(sparse, 1 << 24, kSeed, count)->is_bitmap());
    EXPECT_EQ(calls, 20000 / static_cast<int>(kKeysPerInterruptCheck));
    calls = 0;
    ASSERT_TRUE(WideKeySet::build(wide, 1 << 24, kSeed, count));
    EXPECT_EQ(calls, 20000 / static_cast<int>(kKeysPerInterruptCheck));

    // A cancel ends the build.
    InterruptCheck cancel = [] { throw Cancelled(); };
    EXPECT_THROW(IntegerKeySet::build(dense, 1 << 24, kSeed, cancel), Cancelled);
    EXPECT_THROW(IntegerKeySet::build(sparse, 1 << 24, kSeed, cancel), Cancelled);
    EXPECT_THROW(WideKeySet::build(wide, 1 << 24, kSeed, cancel), Cancelled);
}

TEST(OrphanTally, GrowingChecksForInterruptsAndACancelLeavesItWhole)
{
    int calls = 0;
    bool cancel = false;
    OrphanTally<IntegerKey> tally(1 << 24, kSeed, [&] {
        ++calls;
        if (cancel)
            throw Cancelled();
    });
    IntegerKey key = 0;
    for (; key < 20000; ++key)
        tally.add_orphan(key * 7);
    EXPECT_GE(calls, 20000 / static_cast<int>(kKeysPerInterruptCheck));
    // The next growth moves 32768 keys: the check throws, the tally stays.
    cancel = true;
    EXPECT_THROW(
        for (;; ++key) tally.add_orphan(key * 7), Cancelled);
    EXPECT_EQ(tally.missing_keys(), key);
}

}  // namespace
}  // namespace fkd
