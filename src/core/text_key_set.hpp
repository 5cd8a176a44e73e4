// Sets of text keys, for text, varchar and bpchar keys compared under a
// deterministic collation, where equality is equality of bytes: the keys'
// bytes in one arena, and an open-addressing table of their hashes (keyed
// by a per-call secret, as in key_set.hpp) pointing into it. Plain C++, no
// PostgreSQL headers; the memory comes from the std::pmr resource given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/key_set.hpp"

namespace fkd {

// A slot of the table: the key's hash, and 1 + where the key is in the
// arena (0: a free slot). In the arena each key is its length (8 bytes),
// then its bytes, padded to a multiple of 8.
struct TextSlot {
    std::uint64_t hash = 0;
    std::uint64_t place = 0;
};

std::uint64_t text_hash(std::string_view key, const HashSecret &secret);

// Lookups in a built table, wherever it is (an owning set's, or bytes a
// parallel worker was sent: flat_key_sets.hpp). Every place is checked
// against the arena's size before it is read.
struct TextLookup {
    const TextSlot *slots = nullptr;
    std::size_t slot_count = 0;  // a power of two (kMinimumSlots or more), or 0
    int shift = 64;
    HashSecret secret{};
    const unsigned char *arena = nullptr;
    std::size_t arena_bytes = 0;

    bool contains(std::string_view key) const;
    // The key at a slot's place, or nothing if the place is not one.
    std::optional<std::string_view> key_at(std::uint64_t place) const;
};

class TextKeySet {
public:
    using key_type = std::string_view;

    TextKeySet(std::size_t max_bytes, HashSeed seed, InterruptCheck check_interrupts = {},
               KeyMemory *memory = default_key_memory());

    // Full: the table or the arena would outgrow max_bytes, or the key would
    // land past kMaxProbes slots from its own.
    enum class Insert { Added, Present, Full };
    Insert insert(std::string_view key);
    bool contains(std::string_view key) const { return lookup().contains(key); }
    // Valid until the set changes.
    TextLookup lookup() const;
    // Every key, as views into the arena (valid until the set changes).
    std::pmr::vector<std::string_view> keys(KeyMemory *memory) const;
    std::size_t size() const { return size_; }
    std::size_t bytes() const;

private:
    bool grow_table();
    bool room_for(std::size_t table_bytes, std::size_t arena_bytes) const;

    std::pmr::vector<TextSlot> slots_;
    std::pmr::vector<unsigned char> arena_;
    int shift_ = 64;
    std::size_t size_ = 0;
    std::size_t max_bytes_;
    HashSecret secret_;
    InterruptCheck check_interrupts_;
};

template <>
struct MissingSetOf<std::string_view> {
    using type = TextKeySet;
};
template <>
struct ParentSetOf<std::string_view> {
    using type = TextKeySet;
    using lookup = TextLookup;
};

}  // namespace fkd
