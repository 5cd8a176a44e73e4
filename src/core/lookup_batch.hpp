// Lookups made a few at a time. A hash set bigger than the CPU's cache
// costs a wait for memory on every lookup; keys held back in a batch, each
// one's slot asked for as it comes (prefetch), wait for memory together
// instead of one after another. For the callers that need no answer at once:
// an audit's tally, and a parent's keys being inserted into their set. Plain
// C++.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

#include "core/key_set.hpp"

namespace fkd {

constexpr std::size_t kLookupBatchKeys = 16;

// Keys held back, as values.
template <typename Key>
class LookupBatch {
public:
    // Holds a copy of the key; false if it cannot (it must be used at once).
    bool hold(const Key &key)
    {
        keys_[count_++] = key;
        return true;
    }
    bool full() const { return count_ == kLookupBatchKeys; }
    // Calls use(key) for each key held, in the order they came, and empties.
    template <typename Use>
    void drain(Use &&use)
    {
        for (std::size_t n = 0; n < count_; ++n)
            use(static_cast<const Key &>(keys_[n]));
        count_ = 0;
    }

private:
    Key keys_[kLookupBatchKeys];
    std::size_t count_ = 0;
};

// Text keys held back: copies of their bytes, up to kMostBytes each.
template <>
class LookupBatch<std::string_view> {
public:
    static constexpr std::size_t kMostBytes = 64;

    bool hold(std::string_view key)
    {
        if (key.size() > kMostBytes)
            return false;
        std::memcpy(bytes_[count_], key.data(), key.size());
        lengths_[count_++] = key.size();
        return true;
    }
    bool full() const { return count_ == kLookupBatchKeys; }
    template <typename Use>
    void drain(Use &&use)
    {
        for (std::size_t n = 0; n < count_; ++n)
            use(std::string_view(bytes_[n], lengths_[n]));
        count_ = 0;
    }

private:
    char bytes_[kLookupBatchKeys][kMostBytes];
    std::size_t lengths_[kLookupBatchKeys];
    std::size_t count_ = 0;
};

// Calls use(key) now, or once batch is full, the key's first slot in set
// fetched meanwhile: use looks the key up or inserts it. At the end, drain
// the batch with the same use.
template <typename Set, typename Key, typename Use>
void use_soon(LookupBatch<Key> &batch, const Set &set, const Key &key, Use &&use)
{
    if (!set.worth_batching() || !batch.hold(key)) {
        use(key);
        return;
    }
    set.prefetch(key);
    if (batch.full())
        batch.drain(use);
}

}  // namespace fkd
