#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/lookup_batch.hpp"
#include "core/text_key_set.hpp"

namespace fkd {
namespace {

constexpr HashSeed kSeed{0x452821E638D01377ULL, 0xBE5466CF34E90C6CULL};

TEST(LookupBatch, UsesEveryKeyOnceInTheOrderTheyCame)
{
    std::optional<IntegerKeySet> parents =
        IntegerKeySet::build(KeyVector<IntegerKey>{1000, 5000000, 3}, 1 << 20, kSeed, {});
    ASSERT_TRUE(parents && !parents->is_bitmap());
    IntegerLookup lookup = parents->lookup();
    LookupBatch<IntegerKey, int> batch;
    std::vector<IntegerKey> used;
    auto use = [&used](IntegerKey key, int payload) {
        EXPECT_EQ(payload, 2 * key);
        used.push_back(key);
    };
    for (IntegerKey key = 0; key < 40; ++key) {
        use_soon(batch, lookup, key, static_cast<int>(2 * key), use);
        EXPECT_EQ(used.size() % kLookupBatchKeys, 0u);
    }
    EXPECT_EQ(used.size(), 32u);
    batch.drain(use);
    ASSERT_EQ(used.size(), 40u);
    for (IntegerKey key = 0; key < 40; ++key)
        EXPECT_EQ(used[key], key);
}

TEST(LookupBatch, LooksUpABitmapAndALongTextKeyAtOnce)
{
    std::optional<IntegerKeySet> dense =
        IntegerKeySet::build(KeyVector<IntegerKey>{1, 2, 3}, 1 << 20, kSeed, {});
    ASSERT_TRUE(dense && dense->is_bitmap());
    LookupBatch<IntegerKey> integers;
    int used = 0;
    use_soon(integers, dense->lookup(), IntegerKey{2}, NoPayload{},
             [&used](IntegerKey, NoPayload) { ++used; });
    EXPECT_EQ(used, 1);

    TextKeySet parents(1 << 20, kSeed);
    parents.insert("k1");
    LookupBatch<std::string_view, char> texts;
    std::vector<std::string> seen;
    auto note = [&seen](std::string_view key, char payload) {
        seen.emplace_back(key);
        seen.back() += payload;
    };
    std::string long_key(kMostTextBytes + 1, 'x');
    std::string short_key = "k2";
    use_soon(texts, parents, std::string_view(short_key), 's', note);
    short_key = "changed";  // the batch holds its own copy
    use_soon(texts, parents, std::string_view(long_key), 'l', note);
    EXPECT_EQ(seen, std::vector<std::string>{long_key + "l"});
    texts.drain(note);
    EXPECT_EQ(seen, (std::vector<std::string>{long_key + "l", "k2s"}));
}

}  // namespace
}  // namespace fkd
