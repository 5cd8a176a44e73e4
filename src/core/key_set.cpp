#include "core/key_set.hpp"

#include "core/key_hash.hpp"
#include "core/lookup_batch.hpp"

#include <algorithm>
#include <limits>

#ifdef POSTGRES_H
static_assert(false, "the key sets are plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

constexpr std::uint64_t kFibonacci = 0x9E3779B97F4A7C15ULL;

std::uint64_t hash_of(IntegerKey key, const HashSecret &secret)
{
    return mix(static_cast<std::uint64_t>(key), secret.mask, secret.multiplier);
}
// The first word's hash is the mask of the second: with the first word held,
// the second is hashed as an integer key is, under another secret.
std::uint64_t hash_of(const WideKey &key, const HashSecret &secret)
{
    std::uint64_t mask = mix(key.first, secret.mask, secret.multiplier);
    return mix(key.second, mask, secret.second_multiplier);
}

// Where key is in slots, or the free slot to put it in, and how many slots
// were looked at; nothing if it is neither within kMaxProbes of its own.
template <typename Key>
std::optional<std::size_t> find_slot(const Key *slots, std::size_t slot_count, int shift,
                                     const HashSecret &secret, const Key &key, std::size_t &probes)
{
    std::size_t mask = slot_count - 1;
    std::size_t slot = static_cast<std::size_t>(hash_of(key, secret) >> shift);
    for (probes = 1; probes <= kMaxProbes; ++probes, slot = (slot + 1) & mask)
        if (slots[slot] == key || slots[slot] == empty_marker<Key>())
            return slot;
    return std::nullopt;
}

// SplitMix64, the generator of java.util.SplittableRandom.
std::uint64_t split_mix(std::uint64_t &state)
{
    std::uint64_t z = (state += kFibonacci);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// The most keys a set could hold: beyond it, slots and bytes would overflow.
template <typename Key>
constexpr std::size_t kMostKeys = std::numeric_limits<std::size_t>::max() / (4 * sizeof(Key));

template <typename Key>
std::size_t slots_for(std::size_t count)
{
    std::size_t slots = kMinimumSlots;
    while (slots < 2 * std::min(count, kMostKeys<Key>))
        slots *= 2;
    return slots;
}

// Calls check_interrupts every kKeysPerInterruptCheck-th key.
void every_few_keys(std::size_t n, const InterruptCheck &check_interrupts)
{
    if (n % kKeysPerInterruptCheck == kKeysPerInterruptCheck - 1 && check_interrupts)
        check_interrupts();
}

// Room for the keys, then each inserted, the slot of the one kLookupBatchKeys
// ahead fetched meanwhile (lookup_batch.hpp); false if they do not fit.
template <typename Key>
bool insert_all(KeyHashSet<Key> &set, const KeyVector<Key> &keys,
                const InterruptCheck &check_interrupts)
{
    if (!set.reserve(keys.size()))
        return false;
    HashLookup<Key> lookup = set.lookup();
    for (std::size_t n = 0; n < keys.size(); ++n) {
        every_few_keys(n, check_interrupts);
        if (n + kLookupBatchKeys < keys.size())
            lookup.prefetch(keys[n + kLookupBatchKeys]);
        if (set.insert(keys[n]) == KeyHashSet<Key>::Insert::Full)
            return false;
    }
    return true;
}

}  // namespace

// A value no key is likely to be: a key that is gets a flag of its own.
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

template <typename Key>
bool HashLookup<Key>::contains(const Key &key) const
{
    if (key == empty_marker<Key>())
        return holds_empty_marker;
    if (slot_count == 0)
        return false;
    std::size_t probes;
    std::optional<std::size_t> slot = find_slot(slots, slot_count, shift, secret, key, probes);
    return slot && slots[*slot] == key;
}

template <typename Key>
void HashLookup<Key>::prefetch(const Key &key) const
{
    if (slot_count != 0)
        fkd::prefetch(&slots[static_cast<std::size_t>(hash_of(key, secret) >> shift)]);
}

template struct HashLookup<IntegerKey>;
template struct HashLookup<WideKey>;

HashSecret secret_of(HashSeed seed)
{
    std::uint64_t state = seed.first;
    HashSecret secret{};
    secret.mask = split_mix(state);
    state ^= seed.second;
    secret.multiplier = split_mix(state) | 1;
    secret.second_multiplier = split_mix(state) | 1;
    return secret;
}

template <typename Key>
std::size_t KeyHashSet<Key>::bytes_for(std::size_t count)
{
    return count > kMostKeys<Key> ? std::numeric_limits<std::size_t>::max()
                                  : slots_for<Key>(count) * sizeof(Key);
}

template <typename Key>
std::size_t KeyHashSet<Key>::home_slot(const Key &key) const
{
    return slots_.empty() ? 0 : static_cast<std::size_t>(hash_of(key, secret_) >> shift_);
}

template <typename Key>
std::optional<std::size_t> KeyHashSet<Key>::find_slot(const std::pmr::vector<Key> &slots, int shift,
                                                      const Key &key, std::size_t &probes) const
{
    return fkd::find_slot(slots.data(), slots.size(), shift, secret_, key, probes);
}

// Into a new vector, swapped in only once every key is placed: a refusal or
// an exception from check_interrupts_ leaves the set as it was.
template <typename Key>
bool KeyHashSet<Key>::rehash(std::size_t new_slots)
{
    if (new_slots > max_bytes_ / sizeof(Key))
        return false;
    std::pmr::vector<Key> slots(new_slots, empty_marker<Key>(), slots_.get_allocator());
    int shift = shift_for(new_slots);
    std::size_t moved = 0, longest = longest_probe_, probes = 0;
    for (const Key &key : slots_) {
        if (key == empty_marker<Key>())
            continue;
        every_few_keys(moved++, check_interrupts_);
        std::optional<std::size_t> slot = find_slot(slots, shift, key, probes);
        if (!slot)
            return false;
        slots[*slot] = key;
        longest = std::max(longest, probes);
    }
    slots_.swap(slots);
    shift_ = shift;
    longest_probe_ = longest;
    return true;
}

template <typename Key>
bool KeyHashSet<Key>::reserve(std::size_t count)
{
    if (std::max(count, size_) > kMostKeys<Key>)
        return false;
    std::size_t slots = slots_for<Key>(std::max(count, size_));
    return slots <= slots_.size() || rehash(slots);
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
    std::size_t probes = 0;
    std::optional<std::size_t> slot;
    if (!slots_.empty()) {
        slot = find_slot(slots_, shift_, key, probes);
        if (slot && slots_[*slot] == key)
            return Insert::Present;
    }
    if (2 * (size_ + 1) > slots_.size()) {
        if (!rehash(std::max(kMinimumSlots, 2 * slots_.size())))
            return Insert::Full;
        slot = find_slot(slots_, shift_, key, probes);
    }
    if (!slot)
        return Insert::Full;  // kMaxProbes slots from its own are all taken
    slots_[*slot] = key;
    ++size_;
    longest_probe_ = std::max(longest_probe_, probes);
    return Insert::Added;
}

template <typename Key>
HashLookup<Key> KeyHashSet<Key>::lookup() const
{
    return {slots_.data(), slots_.size(), shift_, secret_, holds_empty_marker_};
}

template <typename Key>
std::pmr::vector<Key> KeyHashSet<Key>::keys(KeyMemory *memory) const
{
    std::pmr::vector<Key> keys(memory);
    keys.reserve(size_);
    if (holds_empty_marker_)
        keys.push_back(empty_marker<Key>());
    for (const Key &key : slots_)
        if (key != empty_marker<Key>())
            keys.push_back(key);
    return keys;
}

template class KeyHashSet<IntegerKey>;
template class KeyHashSet<WideKey>;

std::optional<IntegerKeySet> IntegerKeySet::build(const KeyVector<IntegerKey> &keys,
                                                  std::size_t max_bytes, HashSeed seed,
                                                  const InterruptCheck &check_interrupts,
                                                  KeyMemory *memory)
{
    IntegerKeySet set(memory);
    if (keys.empty())
        return set;
    auto [least, greatest] = std::minmax_element(keys.begin(), keys.end());
    // Unsigned arithmetic: the full int64 range wraps to 0, "too wide".
    std::uint64_t range =
        static_cast<std::uint64_t>(*greatest) - static_cast<std::uint64_t>(*least) + 1;
    std::size_t hash_bytes = KeyHashSet<IntegerKey>::bytes_for(keys.size());
    std::uint64_t bitmap_words = range / 64 + 1;
    if (range != 0 && bitmap_words <= hash_bytes / sizeof(std::uint64_t) &&
        bitmap_words <= max_bytes / sizeof(std::uint64_t)) {
        set.least_ = *least;
        set.range_ = range;
        set.bitmap_.assign(bitmap_words, 0);
        for (std::size_t n = 0; n < keys.size(); ++n) {
            every_few_keys(n, check_interrupts);
            std::uint64_t offset =
                static_cast<std::uint64_t>(keys[n]) - static_cast<std::uint64_t>(*least);
            set.bitmap_[offset / 64] |= std::uint64_t{1} << (offset % 64);
        }
        return set;
    }
    if (hash_bytes > max_bytes)
        return std::nullopt;
    KeyHashSet<IntegerKey> &hash = set.hash_.emplace(hash_bytes, seed, InterruptCheck{}, memory);
    if (!insert_all(hash, keys, check_interrupts))
        return std::nullopt;
    return set;
}

IntegerLookup IntegerKeySet::lookup() const
{
    IntegerLookup lookup;
    lookup.is_bitmap = !hash_;
    if (hash_)
        lookup.hash = hash_->lookup();
    else
        lookup.bitmap = {least_, range_, bitmap_.data()};
    return lookup;
}

std::size_t IntegerKeySet::bytes() const
{
    return hash_ ? hash_->bytes() : bitmap_.size() * sizeof(std::uint64_t);
}

std::optional<WideKeySet> WideKeySet::build(const KeyVector<WideKey> &keys,
                                            std::size_t max_bytes, HashSeed seed,
                                            const InterruptCheck &check_interrupts,
                                            KeyMemory *memory)
{
    std::size_t bytes = KeyHashSet<WideKey>::bytes_for(keys.size());
    if (bytes > max_bytes)
        return std::nullopt;
    WideKeySet set(bytes, seed, memory);
    if (!insert_all(set.hash_, keys, check_interrupts))
        return std::nullopt;
    return set;
}

}  // namespace fkd
