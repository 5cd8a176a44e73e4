#include <gtest/gtest.h>

#include <limits>

#include "core/key_set.hpp"

namespace fkd {
namespace {

constexpr IntegerKey kMin = std::numeric_limits<IntegerKey>::min();
constexpr IntegerKey kMax = std::numeric_limits<IntegerKey>::max();
using IntegerSet = KeyHashSet<IntegerKey>;
using WideSet = KeyHashSet<WideKey>;

TEST(KeyHashSet, AddsEachKeyOnceTheEmptyMarkerToo)
{
    IntegerSet set(1 << 20);
    EXPECT_EQ(set.insert(5), IntegerSet::Insert::Added);
    EXPECT_EQ(set.insert(5), IntegerSet::Insert::Present);
    EXPECT_EQ(set.insert(kMin), IntegerSet::Insert::Added);
    EXPECT_EQ(set.insert(kMin), IntegerSet::Insert::Present);
    EXPECT_EQ(set.size(), 2u);
    EXPECT_TRUE(set.contains(kMin));
    EXPECT_FALSE(set.contains(6));

    WideSet wide(1 << 20);
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
    IntegerSet set(1 << 24);
    WideSet wide(1 << 24);
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
    IntegerSet set(16 * sizeof(IntegerKey));  // room for 8 keys
    for (IntegerKey value = 0; value < 8; ++value)
        ASSERT_EQ(set.insert(value), IntegerSet::Insert::Added);
    EXPECT_EQ(set.insert(100), IntegerSet::Insert::Full);
    EXPECT_FALSE(set.contains(100));
    EXPECT_LE(set.bytes(), 16 * sizeof(IntegerKey));
}

TEST(IntegerKeySet, DenseKeysMakeABitmap)
{
    std::vector<IntegerKey> keys;
    for (IntegerKey key = 1; key <= 100000; ++key)
        if (key % 7 != 0)
            keys.push_back(key);
    auto set = IntegerKeySet::build(keys, 1 << 20);
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->is_bitmap());
    EXPECT_LE(set->bytes(), 100000u / 8 + 8);
    for (IntegerKey key = -5; key <= 100005; ++key)
        ASSERT_EQ(set->contains(key), key >= 1 && key <= 100000 && key % 7 != 0) << key;
}

TEST(IntegerKeySet, SparseKeysMakeAHashSet)
{
    std::vector<IntegerKey> keys = {kMin, -1, 0, 1000000007, kMax};
    auto set = IntegerKeySet::build(keys, 1 << 20);
    ASSERT_TRUE(set);
    EXPECT_FALSE(set->is_bitmap());
    for (IntegerKey key : keys)
        EXPECT_TRUE(set->contains(key)) << key;
    for (IntegerKey key : {kMin + 1, IntegerKey{1}, IntegerKey{-2}, kMax - 1})
        EXPECT_FALSE(set->contains(key)) << key;
}

TEST(IntegerKeySet, NoKeysContainNothing)
{
    auto set = IntegerKeySet::build({}, 0);
    ASSERT_TRUE(set);
    EXPECT_FALSE(set->contains(0));
    EXPECT_FALSE(set->contains(kMin));
}

TEST(ParentKeySets, TooManyKeysForTheMemoryBuildNothing)
{
    std::vector<IntegerKey> keys;
    std::vector<WideKey> wide_keys;
    for (IntegerKey key = 0; key < 1000; ++key) {
        keys.push_back(key * 1000003);
        wide_keys.push_back(WideKey{1, static_cast<std::uint64_t>(key)});
    }
    EXPECT_FALSE(IntegerKeySet::build(keys, 1024));
    EXPECT_FALSE(WideKeySet::build(wide_keys, 1024));
    auto wide = WideKeySet::build(wide_keys, 1 << 20);
    ASSERT_TRUE(wide);
    EXPECT_TRUE(wide->contains(WideKey{1, 999}));
    EXPECT_FALSE(wide->contains(WideKey{1, 1000}));
}

TEST(OrphanTally, CountsRowsAndDistinctMissingKeys)
{
    OrphanTally<IntegerKey> tally(1 << 20);
    for (IntegerKey value : {7, 8, 7, 7, 9})
        tally.add_orphan(value);
    EXPECT_EQ(tally.orphan_rows(), 5);
    EXPECT_EQ(tally.missing_keys(), 3);
}

TEST(OrphanTally, GivesUpOnDistinctKeysPastItsMemoryButCountsRows)
{
    OrphanTally<WideKey> tally(16 * sizeof(WideKey));
    for (std::uint64_t value = 0; value < 100; ++value)
        tally.add_orphan(WideKey{value, value});
    EXPECT_EQ(tally.orphan_rows(), 100);
    EXPECT_FALSE(tally.missing_keys());
}

}  // namespace
}  // namespace fkd
