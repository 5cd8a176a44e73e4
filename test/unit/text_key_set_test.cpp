#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/flat_key_sets.hpp"
#include "core/table_tally.hpp"
#include "core/text_key_set.hpp"

namespace fkd {
namespace {

constexpr HashSeed kSeed{0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL};

TEST(TextKeySet, HoldsEachKeyOnceByItsBytes)
{
    TextKeySet set(1 << 20, kSeed);
    EXPECT_EQ(set.insert("k1"), TextKeySet::Insert::Added);
    EXPECT_EQ(set.insert("k1"), TextKeySet::Insert::Present);
    EXPECT_EQ(set.insert(""), TextKeySet::Insert::Added);
    EXPECT_EQ(set.insert(std::string("a\0b", 3)), TextKeySet::Insert::Added);
    EXPECT_EQ(set.insert("K1"), TextKeySet::Insert::Added);
    EXPECT_EQ(set.size(), 4u);
    EXPECT_TRUE(set.contains(""));
    EXPECT_TRUE(set.contains(std::string("a\0b", 3)));
    EXPECT_FALSE(set.contains("a"));
    EXPECT_FALSE(set.contains("k1 "));
    EXPECT_EQ(set.keys(default_key_memory()).size(), 4u);
}

TEST(TextKeySet, TellsApartKeysAroundTheLengthHeldInASlot)
{
    TextKeySet set(1 << 20, kSeed);
    std::vector<std::string> keys = {"", std::string(1, '\0'), std::string(2, '\0'), "abcdef",
                                     "abcdefg", "abcdefgh", std::string("abcdefg\0", 8),
                                     "abcdefghi", std::string(7, '\xff'), std::string(8, '\xff'),
                                     "z", "yz", "xyz", "wxyz", "vwxyz", "uvwxyz", "tuvwxyz",
                                     "zy", "zyx", "zyxw"};
    for (const std::string &key : keys)
        ASSERT_EQ(set.insert(key), TextKeySet::Insert::Added) << key.size();
    for (const std::string &key : keys)
        EXPECT_EQ(set.insert(key), TextKeySet::Insert::Present) << key.size();
    EXPECT_FALSE(set.contains("abcdefgi"));
    EXPECT_FALSE(set.contains(std::string(3, '\0')));
    std::pmr::vector<std::string_view> held = set.keys(default_key_memory());
    std::vector<std::string> listed(held.begin(), held.end());
    std::sort(listed.begin(), listed.end());
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(listed, keys);
}

TEST(TextKeySet, ReservesOnlyWhatFits)
{
    TextKeySet set(1 << 16, kSeed);
    EXPECT_FALSE(set.reserve(1 << 20));
    EXPECT_TRUE(set.reserve(1000));
    std::size_t reserved = set.bytes();
    for (int n = 0; n < 1000; ++n)
        ASSERT_EQ(set.insert("k" + std::to_string(n)), TextKeySet::Insert::Added);
    EXPECT_EQ(set.bytes(), reserved);
    EXPECT_TRUE(set.contains("k999"));

    TextKeySet stale(1 << 24, kSeed);
    ASSERT_TRUE(stale.reserve(100000));
    stale.insert("only");
    stale.insert("a key of more than seven bytes");
    std::size_t before = stale.bytes();
    stale.fit();
    EXPECT_LT(stale.bytes(), before / 100);
    EXPECT_TRUE(stale.contains("only"));
    EXPECT_TRUE(stale.contains("a key of more than seven bytes"));
    EXPECT_FALSE(stale.contains("other"));
}

TEST(TextKeySet, GrowsAndRefusesPastItsMemory)
{
    TextKeySet set(1 << 24, kSeed);
    for (int n = 0; n < 50000; n += 2)
        ASSERT_EQ(set.insert("key " + std::to_string(n)), TextKeySet::Insert::Added);
    for (int n = 0; n < 50000; ++n)
        ASSERT_EQ(set.contains("key " + std::to_string(n)), n % 2 == 0) << n;
    std::string long_key(5000, 'x');
    EXPECT_EQ(set.insert(long_key), TextKeySet::Insert::Added);
    EXPECT_TRUE(set.contains(long_key));

    TextKeySet small(4096, kSeed);
    int added = 0;
    while (small.insert("a longer key number " + std::to_string(added)) ==
           TextKeySet::Insert::Added)
        ++added;
    EXPECT_GT(added, 10);
    EXPECT_LE(small.bytes(), 4096u);
    EXPECT_EQ(small.insert(std::string(5000, 'y')), TextKeySet::Insert::Full);
}

TEST(TextKeySet, LooksUpFromItsFlatBytesAndRefusesBentOnes)
{
    TextKeySet set(1 << 20, kSeed);
    for (const char *key : {"k1", "k22", "", "a key of more than eight bytes"})
        set.insert(key);
    FlatKeySetWriter writer;
    writer.add(set.lookup(), 1000);
    std::vector<std::uint64_t> block(writer.bytes() / 8);
    writer.write(block.data());
    auto sets = read_flat_key_sets(block.data(), block.size() * 8);
    ASSERT_TRUE(sets);
    const TextLookup &text = (*sets)[0].text;
    EXPECT_EQ((*sets)[0].kind, FlatSetKind::TextHash);
    EXPECT_TRUE(text.contains("k22"));
    EXPECT_TRUE(text.contains(""));
    EXPECT_TRUE(text.contains("a key of more than eight bytes"));
    EXPECT_FALSE(text.contains("k2"));

    std::mt19937_64 random(11);
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::uint64_t> bent = block;
        bent[random() % bent.size()] = round % 2 ? random() : random() % 4096;
        auto read = read_flat_key_sets(bent.data(), bent.size() * 8);
        if (read)
            for (const char *key : {"k1", "k22", "", "zzzzzzzzzzzzzzzzzzzz"})
                (void)(*read)[0].text.contains(key);
    }
}

TEST(TableTally, CountsDistinctTextKeysAcrossProcesses)
{
    TextKeySet parents(1 << 16, kSeed);
    parents.insert("p");
    FlatKeySetWriter writer;
    writer.add(parents.lookup(), 1 << 16);
    std::vector<std::uint64_t> block(writer.bytes() / 8);
    writer.write(block.data());
    auto sets = *read_flat_key_sets(block.data(), block.size() * 8);
    TallyShapes shapes = shapes_of(sets, default_key_memory());
    TableTally leader(shapes, kSeed, default_key_memory());
    TableTally worker(shapes, {3, 4}, default_key_memory());
    leader.add_orphan(0, std::string_view("x"));
    worker.add_orphan(0, std::string_view("x"));
    worker.add_orphan(0, std::string_view("a key of more than eight bytes"));
    worker.add_orphan(0, std::string_view(""));
    std::vector<std::uint64_t> bytes(worker.serialized_bytes() / 8);
    worker.serialize(bytes.data());
    auto received = TableTally::deserialize(bytes.data(), bytes.size() * 8, kSeed,
                                            default_key_memory());
    ASSERT_TRUE(received);
    ASSERT_TRUE(leader.merge(*received));
    EXPECT_EQ(leader.result(), (std::vector<std::int64_t>{0, 4, 3}));
    for (std::size_t length = 0; length < bytes.size(); ++length)
        EXPECT_FALSE(TableTally::deserialize(bytes.data(), length * 8, kSeed,
                                             default_key_memory()));
}

}  // namespace
}  // namespace fkd
