#include <gtest/gtest.h>

#include <limits>

#include "../../src/integer_key_set.hpp"

namespace fkd {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

TEST(Int64HashSet, AddsEachValueOnce)
{
    Int64HashSet set(1 << 20);
    EXPECT_EQ(set.insert(5), Int64HashSet::Insert::Added);
    EXPECT_EQ(set.insert(5), Int64HashSet::Insert::Present);
    EXPECT_EQ(set.insert(kMin), Int64HashSet::Insert::Added);
    EXPECT_EQ(set.insert(kMin), Int64HashSet::Insert::Present);
    EXPECT_EQ(set.size(), 2u);
    EXPECT_TRUE(set.contains(kMin));
    EXPECT_FALSE(set.contains(6));
}

TEST(Int64HashSet, HoldsManyValuesAcrossGrowth)
{
    Int64HashSet set(1 << 24);
    for (std::int64_t value = -50000; value < 50000; value += 3)
        ASSERT_EQ(set.insert(value * 1024), Int64HashSet::Insert::Added);
    for (std::int64_t value = -50000; value < 50000; ++value)
        ASSERT_EQ(set.contains(value * 1024), (value + 50000) % 3 == 0) << value;
}

TEST(Int64HashSet, RefusesToGrowPastItsLimit)
{
    Int64HashSet set(16 * sizeof(std::int64_t));  // room for 8 values
    for (std::int64_t value = 0; value < 8; ++value)
        ASSERT_EQ(set.insert(value), Int64HashSet::Insert::Added);
    EXPECT_EQ(set.insert(100), Int64HashSet::Insert::Full);
    EXPECT_FALSE(set.contains(100));
    EXPECT_LE(set.bytes(), 16 * sizeof(std::int64_t));
}

TEST(ParentKeySet, DenseKeysMakeABitmap)
{
    std::vector<std::int64_t> keys;
    for (std::int64_t key = 1; key <= 100000; ++key)
        if (key % 7 != 0)
            keys.push_back(key);
    auto set = ParentKeySet::build(keys, 1 << 20);
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->is_bitmap());
    EXPECT_LE(set->bytes(), 100000u / 8 + 8);
    for (std::int64_t key = -5; key <= 100005; ++key)
        ASSERT_EQ(set->contains(key), key >= 1 && key <= 100000 && key % 7 != 0) << key;
}

TEST(ParentKeySet, SparseKeysMakeAHashSet)
{
    std::vector<std::int64_t> keys = {kMin, -1, 0, 1000000007, kMax};
    auto set = ParentKeySet::build(keys, 1 << 20);
    ASSERT_TRUE(set);
    EXPECT_FALSE(set->is_bitmap());
    for (std::int64_t key : keys)
        EXPECT_TRUE(set->contains(key)) << key;
    for (std::int64_t key : {kMin + 1, std::int64_t{1}, std::int64_t{-2}, kMax - 1})
        EXPECT_FALSE(set->contains(key)) << key;
}

TEST(ParentKeySet, NoKeysContainNothing)
{
    auto set = ParentKeySet::build({}, 0);
    ASSERT_TRUE(set);
    EXPECT_FALSE(set->contains(0));
    EXPECT_FALSE(set->contains(kMin));
}

TEST(ParentKeySet, TooManyKeysForTheMemoryBuildNothing)
{
    std::vector<std::int64_t> keys;
    for (std::int64_t key = 0; key < 1000; ++key)
        keys.push_back(key * 1000003);
    EXPECT_FALSE(ParentKeySet::build(keys, 1024));
}

TEST(OrphanTally, CountsRowsAndDistinctMissingKeys)
{
    OrphanTally tally(1 << 20);
    for (std::int64_t value : {7, 8, 7, 7, 9})
        tally.add_orphan(value);
    EXPECT_EQ(tally.orphan_rows(), 5);
    EXPECT_EQ(tally.missing_keys(), 3);
}

TEST(OrphanTally, GivesUpOnDistinctKeysPastItsMemoryButCountsRows)
{
    OrphanTally tally(16 * sizeof(std::int64_t));
    for (std::int64_t value = 0; value < 100; ++value)
        tally.add_orphan(value);
    EXPECT_EQ(tally.orphan_rows(), 100);
    EXPECT_FALSE(tally.missing_keys());
}

}  // namespace
}  // namespace fkd
