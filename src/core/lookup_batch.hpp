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

// How a key held back is kept: as its value, or (text) as a copy of its
// bytes, up to kMostTextBytes; take() is false for a key it cannot keep.
constexpr std::size_t kMostTextBytes = 64;

template <typename Key>
struct HeldCopy {
    Key key;
    bool take(const Key &value)
    {
        key = value;
        return true;
    }
    const Key &get() const { return key; }
};

template <>
struct HeldCopy<std::string_view> {
    char bytes[kMostTextBytes];
    std::size_t length = 0;
    bool take(std::string_view value)
    {
        if (value.size() > kMostTextBytes)
            return false;
        std::memcpy(bytes, value.data(), value.size());
        length = value.size();
        return true;
    }
    std::string_view get() const { return std::string_view(bytes, length); }
};

// Keys held back, each with its payload (where its row is, say).
template <typename Key, typename Payload = NoPayload>
class LookupBatch {
public:
    // Holds a copy of the key; false if it cannot (it must be used at once).
    bool hold(const Key &key, const Payload &payload)
    {
        if (!held_[count_].key.take(key))
            return false;
        held_[count_++].payload = payload;
        return true;
    }
    bool full() const { return count_ == kLookupBatchKeys; }
    // Calls use(key, payload) for each key held, in the order they came,
    // and empties.
    template <typename Use>
    void drain(Use &&use)
    {
        for (std::size_t n = 0; n < count_; ++n)
            use(held_[n].key.get(), static_cast<const Payload &>(held_[n].payload));
        count_ = 0;
    }

private:
    struct Held {
        HeldCopy<Key> key;
        Payload payload;
    };
    Held held_[kLookupBatchKeys];
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
