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

// A key in the set. hash: the key's hash with its two low bits replaced:
// bit 0 set, and bit 1 set when the key is held in the entry itself: a key
// of at most 7 bytes, in place's first 7 bytes, its length in the last
// (short codes cost no visit to the arena). Otherwise place is where the
// key is in the arena, where each key is its length (8 bytes), then its
// bytes, padded to a multiple of 8.
struct TextEntry {
    std::uint64_t hash = 0;
    std::uint64_t place = 0;
};

std::uint64_t text_hash(std::string_view key, const HashSecret &secret);

// Lookups in a built set, wherever it is (an owning set's, or bytes a
// parallel worker was sent: flat_key_sets.hpp). The table is small (4 bytes
// a slot: 1 + the key's entry, 0 for a free slot), so that it stays in the
// cache; the entries are in the order the keys came, so that a child read
// in the parent's order finds its keys' entries near each other. Every
// entry number and place is checked before it is read.
struct TextLookup {
    const std::uint32_t *table = nullptr;
    std::size_t slot_count = 0;  // a power of two (kMinimumSlots or more), or 0
    int shift = 64;
    HashSecret secret{};
    const TextEntry *entries = nullptr;
    std::size_t entry_count = 0;
    const unsigned char *arena = nullptr;
    std::size_t arena_bytes = 0;

    bool contains(std::string_view key) const;
    // The key of an entry, or nothing if its place is not one the arena
    // can give (the view may point into the entry).
    std::optional<std::string_view> key_at(const TextEntry &entry) const;
    // The entry a slot holds, or nothing for a free slot or a bad number.
    const TextEntry *entry_at(std::size_t slot) const;
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
    std::size_t size() const { return entries_.size(); }
    std::size_t bytes() const;

private:
    bool grow_table();
    // Where the key's bytes now start in the arena; nothing if they would
    // not fit in max_bytes.
    std::optional<std::size_t> append_to_arena(std::string_view key);
    bool room_for(std::size_t table_bytes, std::size_t arena_bytes) const;

    std::pmr::vector<std::uint32_t> table_;
    std::pmr::vector<TextEntry> entries_;
    std::pmr::vector<unsigned char> arena_;
    int shift_ = 64;
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
