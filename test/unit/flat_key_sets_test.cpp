#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/flat_key_sets.hpp"
#include "core/table_tally.hpp"

namespace fkd {
namespace {

constexpr HashSeed kSeed{0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL};
constexpr IntegerKey kMin = std::numeric_limits<IntegerKey>::min();

std::vector<std::uint64_t> block_of(const FlatKeySetWriter &writer)
{
    std::vector<std::uint64_t> block(writer.bytes() / sizeof(std::uint64_t));
    writer.write(block.data());
    return block;
}

std::vector<std::uint64_t> serialized(const TableTally &tally)
{
    std::vector<std::uint64_t> bytes(tally.serialized_bytes() / 8);
    tally.serialize(bytes.data());
    return bytes;
}

IntegerKeySet integer_set(std::vector<IntegerKey> keys)
{
    KeyVector<IntegerKey> vector(keys.begin(), keys.end());
    return *IntegerKeySet::build(vector, 1 << 24, kSeed, {});
}

WideKeySet wide_set(std::vector<WideKey> keys)
{
    KeyVector<WideKey> vector(keys.begin(), keys.end());
    return *WideKeySet::build(vector, 1 << 24, kSeed, {});
}

TEST(FlatKeySets, LookUpAsTheSetsTheyWereWrittenFrom)
{
    IntegerKeySet dense = integer_set({1, 2, 3, 5, 8, 13});
    IntegerKeySet sparse = integer_set({kMin, -7, 1000000007, 1LL << 60});
    WideKeySet wide = wide_set({{1, 2}, {3, 4}, {~0ULL, 0x5A5A5A5A5A5A5A5AULL}});
    IntegerKeySet empty = integer_set({});
    ASSERT_TRUE(dense.is_bitmap());
    ASSERT_FALSE(sparse.is_bitmap());

    FlatKeySetWriter writer;
    writer.add(dense.lookup(), 100);
    writer.add(sparse.lookup(), 200);
    writer.add(wide.lookup(), 300);
    writer.add(empty.lookup(), 400);
    std::vector<std::uint64_t> block = block_of(writer);
    auto sets = read_flat_key_sets(block.data(), block.size() * 8);
    ASSERT_TRUE(sets);
    ASSERT_EQ(sets->size(), 4u);
    EXPECT_EQ((*sets)[0].kind, FlatSetKind::IntegerBitmap);
    EXPECT_EQ((*sets)[1].kind, FlatSetKind::IntegerHash);
    EXPECT_EQ((*sets)[2].kind, FlatSetKind::WideHash);
    EXPECT_EQ((*sets)[3].tally_bytes, 400u);
    for (IntegerKey key = -20; key < 20; ++key) {
        EXPECT_EQ((*sets)[0].integer.contains(key), dense.contains(key)) << key;
        EXPECT_EQ((*sets)[1].integer.contains(key), sparse.contains(key)) << key;
        EXPECT_FALSE((*sets)[3].integer.contains(key));
    }
    EXPECT_TRUE((*sets)[1].integer.contains(kMin));
    EXPECT_TRUE((*sets)[1].integer.contains(1LL << 60));
    EXPECT_TRUE((*sets)[2].wide.contains({3, 4}));
    EXPECT_TRUE((*sets)[2].wide.contains({~0ULL, 0x5A5A5A5A5A5A5A5AULL}));
    EXPECT_FALSE((*sets)[2].wide.contains({4, 3}));
}

// Any bytes are either refused or read as sets whose lookups stay in the
// block (run under valgrind or a sanitizer, a stray read shows).
TEST(FlatKeySets, RefuseOrStayInsideAnyBytes)
{
    IntegerKeySet sparse = integer_set({-7, 99, 1000000007});
    WideKeySet wide = wide_set({{1, 2}, {3, 4}});
    FlatKeySetWriter writer;
    writer.add(sparse.lookup(), 100);
    writer.add(wide.lookup(), 100);
    std::vector<std::uint64_t> block = block_of(writer);
    for (std::size_t length = 0; length < block.size(); ++length)
        EXPECT_FALSE(read_flat_key_sets(block.data(), length * 8)) << length;
    EXPECT_FALSE(read_flat_key_sets(reinterpret_cast<char *>(block.data()) + 4, 16));

    std::mt19937_64 random(7);
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::uint64_t> bent = block;
        std::size_t word = random() % bent.size();
        bent[word] = round % 2 ? random() : bent[word] ^ (1ULL << (random() % 64));
        auto sets = read_flat_key_sets(bent.data(), bent.size() * 8);
        if (!sets)
            continue;
        for (const FlatKeySet &set : *sets)
            for (int probe = 0; probe < 50; ++probe) {
                set.kind == FlatSetKind::WideHash ? (void)set.wide.contains({random(), random()})
                                                  : (void)set.integer.contains(random());
            }
    }
}

TEST(TableTally, AddsUpTalliesOfParts)
{
    IntegerKeySet integers = integer_set({1, 2, 3});
    WideKeySet wide = wide_set({{1, 1}});
    FlatKeySetWriter writer;
    writer.add(integers.lookup(), 1 << 16);
    writer.add(wide.lookup(), 1 << 16);
    std::vector<std::uint64_t> block = block_of(writer);
    auto sets = *read_flat_key_sets(block.data(), block.size() * 8);

    TallyShapes shapes = shapes_of(sets, default_key_memory());
    TableTally leader(shapes, kSeed, default_key_memory());
    TableTally worker(shapes, {1, 2}, default_key_memory());
    for (int row = 0; row < 10; ++row) {
        leader.count_row();
        worker.count_row();
    }
    leader.add_orphan(0, 7);
    leader.add_orphan(0, 8);
    worker.add_orphan(0, 7);
    worker.add_orphan(0, 9);
    worker.add_orphan(1, WideKey{5, 5});
    std::vector<std::uint64_t> bytes = serialized(worker);
    auto received = TableTally::deserialize(bytes.data(), bytes.size() * 8, kSeed,
                                            default_key_memory());
    ASSERT_TRUE(received);
    ASSERT_TRUE(leader.merge(*received));
    EXPECT_EQ(leader.result(), (std::vector<std::int64_t>{20, 4, 3, 1, 1}));

    // Truncated or bent bytes are refused; a tally of other keys is not added.
    for (std::size_t length = 0; length < bytes.size(); ++length)
        EXPECT_FALSE(TableTally::deserialize(bytes.data(), length * 8, kSeed,
                                             default_key_memory()));
    std::vector<std::uint64_t> bent = bytes;
    bent[1] = 3;
    EXPECT_FALSE(TableTally::deserialize(bent.data(), bent.size() * 8, kSeed,
                                         default_key_memory()));
    TableTally other(TallyShapes(shapes.begin(), shapes.begin() + 1), kSeed,
                     default_key_memory());
    EXPECT_FALSE(leader.merge(other));
    EXPECT_EQ(leader.result(), (std::vector<std::int64_t>{20, 4, 3, 1, 1}));
}

TEST(TableTally, OverflowedMissingKeysStayUnknown)
{
    IntegerKeySet integers = integer_set({1});
    FlatKeySetWriter writer;
    writer.add(integers.lookup(), 16 * sizeof(IntegerKey));  // room for 8 keys
    std::vector<std::uint64_t> block = block_of(writer);
    auto sets = *read_flat_key_sets(block.data(), block.size() * 8);
    TallyShapes shapes = shapes_of(sets, default_key_memory());
    TableTally leader(shapes, kSeed, default_key_memory());
    TableTally worker(shapes, kSeed, default_key_memory());
    for (IntegerKey key = 100; key < 200; ++key)
        worker.add_orphan(0, key);
    leader.add_orphan(0, 5);
    std::vector<std::uint64_t> bytes = serialized(worker);
    auto received = TableTally::deserialize(bytes.data(), bytes.size() * 8, kSeed,
                                            default_key_memory());
    ASSERT_TRUE(received);
    ASSERT_TRUE(leader.merge(*received));
    EXPECT_EQ(leader.result(), (std::vector<std::int64_t>{0, 101, -1}));
}

}  // namespace
}  // namespace fkd
