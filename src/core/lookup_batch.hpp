// Lookups made a few at a time. A hash set bigger than the CPU's cache
// costs a wait for memory on every lookup; keys held back in a batch, each
// one's slot asked for as it comes (prefetch), wait for memory together
// instead of one after another. For the callers that need no answer at once:
// an audit's tally, the search for a key's orphan rows, and a parent's keys
// being inserted into their set. Plain C++.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

#include "core/key_set.hpp"

namespace fkd {

constexpr std::size_t kLookupBatchKeys = 16;

// What a caller keeps with a key held back, when it keeps nothing.
struct NoPayload {};

// Keys held back, as values, each with its payload (where its row is, say).
template <typename Key, typename Payload = NoPayload>
class LookupBatch {
public:
    // Holds a copy of the key; false if it cannot (it must be used at once).
    bool hold(const Key &key, const Payload &payload)
    {
        keys_[count_] = key;
        payloads_[count_++] = payload;
        return true;
    }
    bool full() const { return count_ == kLookupBatchKeys; }
    // Calls use(key, payload) for each key held, in the order they came,
    // and empties.
    template <typename Use>
    void drain(Use &&use)
    {
        for (std::size_t n = 0; n < count_; ++n)
            use(static_cast<const Key &>(keys_[n]), static_cast<const Payload &>(payloads_[n]));
        count_ = 0;
    }

private:
    Key keys_[kLookupBatchKeys];
    Payload payloads_[kLookupBatchKeys];
    std::size_t count_ = 0;
};

// Text keys held back: copies of their bytes, up to kMostBytes each.
template <typename Payload>
class LookupBatch<std::string_view, Payload> {
public:
    static constexpr std::size_t kMostBytes = 64;

    bool hold(std::string_view key, const Payload &payload)
    {
        if (key.size() > kMostBytes)
            return false;
        std::memcpy(bytes_[count_], key.data(), key.size());
        lengths_[count_] = key.size();
        payloads_[count_++] = payload;
        return true;
    }
    bool full() const { return count_ == kLookupBatchKeys; }
    template <typename Use>
    void drain(Use &&use)
    {
        for (std::size_t n = 0; n < count_; ++n)
            use(std::string_view(bytes_[n], lengths_[n]),
                static_cast<const Payload &>(payloads_[n]));
        count_ = 0;
    }

private:
    char bytes_[kLookupBatchKeys][kMostBytes];
    std::size_t lengths_[kLookupBatchKeys];
    Payload payloads_[kLookupBatchKeys];
    std::size_t count_ = 0;
};

// Calls use(key, payload) now, or once batch is full, the key's first slot
// in set fetched meanwhile: use looks the key up or inserts it. At the end,
// drain the batch with the same use.
template <typename Set, typename Key, typename Payload, typename Use>
void use_soon(LookupBatch<Key, Payload> &batch, const Set &set, const Key &key,
              const Payload &payload, Use &&use)
{
    if (!set.worth_batching() || !batch.hold(key, payload)) {
        use(key, payload);
        return;
    }
    set.prefetch(key);
    if (batch.full())
        batch.drain(use);
}

}  // namespace fkd
