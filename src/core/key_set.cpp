#include "core/key_set.hpp"

#include <algorithm>
#include <limits>

#ifdef POSTGRES_H
static_assert(false, "the key sets are plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

constexpr std::size_t kMinimumSlots = 16;
constexpr std::uint64_t kFibonacci = 0x9E3779B97F4A7C15ULL;

// A value no key is likely to be: a key that is gets a flag of its own.
template <typename Key>
Key empty_marker();
template <>
IntegerKey empty_marker<IntegerKey>()
{
    return std::numeric_limits<IntegerKey>::min();
}
template <>
WideKey empty_marker<WideKey>()
{
    return {std::numeric_limits<std::uint64_t>::max(), 0x5A5A5A5A5A5A5A5AULL};
}

// Fibonacci hashing: the top bits of the product spread consecutive keys.
std::uint64_t hash_of(IntegerKey key)
{
    return static_cast<std::uint64_t>(key) * kFibonacci;
}
std::uint64_t hash_of(const WideKey &key)
{
    std::uint64_t mixed = key.first * kFibonacci;
    mixed ^= mixed >> 29;
    mixed += key.second * 0xC2B2AE3D27D4EB4FULL;
    mixed ^= mixed >> 32;
    return mixed * kFibonacci;
}

std::size_t slots_for(std::size_t count)
{
    std::size_t slots = kMinimumSlots;
    while (slots < 2 * count)
        slots *= 2;
    return slots;
}

}  // namespace

template <typename Key>
std::size_t KeyHashSet<Key>::bytes_for(std::size_t count)
{
    return slots_for(count) * sizeof(Key);
}

template <typename Key>
std::size_t KeyHashSet<Key>::slot_of(const Key &key) const
{
    return static_cast<std::size_t>(hash_of(key) >> 32) & (slots_.size() - 1);
}

template <typename Key>
bool KeyHashSet<Key>::grow()
{
    std::size_t new_slots = std::max(kMinimumSlots, 2 * slots_.size());
    if (new_slots * sizeof(Key) > max_bytes_)
        return false;
    std::vector<Key> old(new_slots, empty_marker<Key>());
    old.swap(slots_);
    for (const Key &key : old) {
        if (key == empty_marker<Key>())
            continue;
        std::size_t slot = slot_of(key);
        while (slots_[slot] != empty_marker<Key>())
            slot = next_slot(slot);
        slots_[slot] = key;
    }
    return true;
}

template <typename Key>
typename KeyHashSet<Key>::Insert KeyHashSet<Key>::insert(const Key &key)
{
    if (key == empty_marker<Key>()) {
        if (holds_empty_marker_)
            return Insert::Present;
        holds_empty_marker_ = true;
        ++size_;
        return Insert::Added;
    }
    if (contains(key))
        return Insert::Present;
    if (2 * (size_ + 1) > slots_.size() && !grow())
        return Insert::Full;
    std::size_t slot = slot_of(key);
    while (slots_[slot] != empty_marker<Key>())
        slot = next_slot(slot);
    slots_[slot] = key;
    ++size_;
    return Insert::Added;
}

template <typename Key>
bool KeyHashSet<Key>::contains(const Key &key) const
{
    if (key == empty_marker<Key>())
        return holds_empty_marker_;
    if (slots_.empty())
        return false;
    for (std::size_t slot = slot_of(key);; slot = next_slot(slot)) {
        if (slots_[slot] == key)
            return true;
        if (slots_[slot] == empty_marker<Key>())
            return false;
    }
}

template class KeyHashSet<IntegerKey>;
template class KeyHashSet<WideKey>;

std::optional<IntegerKeySet> IntegerKeySet::build(const std::vector<IntegerKey> &keys,
                                                  std::size_t max_bytes)
{
    IntegerKeySet set;
    if (keys.empty())
        return set;
    auto [least, greatest] = std::minmax_element(keys.begin(), keys.end());
    // Unsigned arithmetic: the full int64 range wraps to 0, "too wide".
    std::uint64_t range =
        static_cast<std::uint64_t>(*greatest) - static_cast<std::uint64_t>(*least) + 1;
    std::size_t hash_bytes = KeyHashSet<IntegerKey>::bytes_for(keys.size());
    std::uint64_t bitmap_words = range / 64 + 1;
    if (range != 0 && bitmap_words <= hash_bytes / sizeof(std::uint64_t) &&
        bitmap_words * sizeof(std::uint64_t) <= max_bytes) {
        set.least_ = *least;
        set.range_ = range;
        set.bitmap_.assign(bitmap_words, 0);
        for (IntegerKey key : keys) {
            std::uint64_t offset =
                static_cast<std::uint64_t>(key) - static_cast<std::uint64_t>(*least);
            set.bitmap_[offset / 64] |= std::uint64_t{1} << (offset % 64);
        }
        return set;
    }
    if (hash_bytes > max_bytes)
        return std::nullopt;
    set.hash_.emplace(hash_bytes);
    for (IntegerKey key : keys)
        set.hash_->insert(key);
    return set;
}

bool IntegerKeySet::contains(IntegerKey key) const
{
    if (hash_)
        return hash_->contains(key);
    std::uint64_t offset = static_cast<std::uint64_t>(key) - static_cast<std::uint64_t>(least_);
    return offset < range_ && (bitmap_[offset / 64] >> (offset % 64) & 1) != 0;
}

std::size_t IntegerKeySet::bytes() const
{
    return hash_ ? hash_->bytes() : bitmap_.size() * sizeof(std::uint64_t);
}

std::optional<WideKeySet> WideKeySet::build(const std::vector<WideKey> &keys,
                                            std::size_t max_bytes)
{
    std::size_t bytes = KeyHashSet<WideKey>::bytes_for(keys.size());
    if (bytes > max_bytes)
        return std::nullopt;
    WideKeySet set(bytes);
    for (const WideKey &key : keys)
        set.hash_.insert(key);
    return set;
}

}  // namespace fkd
