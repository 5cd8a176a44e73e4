#include <gtest/gtest.h>

#include <vector>

#include "core/orphan_locations.hpp"

namespace fkd {
namespace {

TEST(OrphanLocations, KeepsAtMostItsLimitAndSaysSo)
{
    OrphanLocations locations(2, default_key_memory());
    locations.add({16384, {7, 1}});
    locations.add({16385, {4294967295u, 65535}});
    EXPECT_FALSE(locations.overflowed());
    locations.add({16384, {8, 2}});
    EXPECT_TRUE(locations.overflowed());
    ASSERT_EQ(locations.locations().size(), 2u);
    EXPECT_EQ(locations.locations()[1].row.block, 4294967295u);
}

TEST(OrphanLocations, TravelAsWordsAndRefuseBentOnes)
{
    OrphanLocations worker(10, default_key_memory());
    worker.add({16384, {7, 1}});
    worker.add({16385, {4294967295u, 65535}});
    std::vector<std::uint64_t> words(worker.serialized_bytes() / 8);
    worker.serialize(words.data());
    auto received = OrphanLocations::deserialize(words.data(), words.size() * 8,
                                                 default_key_memory());
    ASSERT_TRUE(received);
    ASSERT_EQ(received->locations().size(), 2u);
    EXPECT_EQ(received->locations()[1].table, 16385u);
    EXPECT_EQ(received->locations()[1].row.block, 4294967295u);
    EXPECT_EQ(received->locations()[1].row.offset, 65535u);

    OrphanLocations leader(10, default_key_memory());
    leader.add({16384, {1, 1}});
    ASSERT_TRUE(leader.merge(*received));
    EXPECT_EQ(leader.locations().size(), 3u);
    OrphanLocations other_limit(11, default_key_memory());
    EXPECT_FALSE(leader.merge(other_limit));

    for (std::size_t length = 0; length < words.size(); ++length)
        EXPECT_FALSE(OrphanLocations::deserialize(words.data(), length * 8, default_key_memory()));
    std::vector<std::uint64_t> bent = words;
    bent[2] = 3;  // more than it holds
    EXPECT_FALSE(OrphanLocations::deserialize(bent.data(), bent.size() * 8, default_key_memory()));
    bent = words;
    bent[0] = 1;  // more than its limit
    EXPECT_FALSE(OrphanLocations::deserialize(bent.data(), bent.size() * 8, default_key_memory()));
    bent = words;
    bent[4] = 65536;  // no such offset
    EXPECT_FALSE(OrphanLocations::deserialize(bent.data(), bent.size() * 8, default_key_memory()));
}

}  // namespace
}  // namespace fkd
