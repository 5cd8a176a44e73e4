// The hashing the key sets share (key_set.hpp, text_key_set.hpp): a keyed
// 64-bit mix, and how a hash picks a slot. Plain C++.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fkd {

constexpr std::size_t kMinimumSlots = 16;

// A keyed finalizer: the key xor a secret, times a secret odd number, then
// MurmurHash3's fmix64. Each step is a bijection and the secret ones come
// before the avalanche, so which keys share a slot depends on 128 secret
// bits and cannot be chosen in advance (a single multiply, keyed or not,
// clusters keys in arithmetic progression); kMaxProbes bounds bad luck.
inline std::uint64_t mix(std::uint64_t word, std::uint64_t mask, std::uint64_t multiplier)
{
    std::uint64_t h = (word ^ mask) * multiplier;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    return h ^ (h >> 33);
}

// Asks for the cache line at address, for a lookup that will read it soon.
inline void prefetch(const void *address) { __builtin_prefetch(address); }

// The shift that leaves a hash's top log2(slots) bits.
inline int shift_for(std::size_t slots)
{
    int shift = 64;
    for (std::size_t size = slots; size > 1; size /= 2)
        --shift;
    return shift;
}

}  // namespace fkd
