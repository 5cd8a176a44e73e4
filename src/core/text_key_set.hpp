// Sets of text keys, for text, varchar and bpchar keys compared under a
// deterministic collation, where equality is equality of bytes: an
// open-addressing table (placed by a hash keyed by a per-call secret, as in
// key_set.hpp) that holds short keys itself and points into an arena for
// longer ones. Plain C++, no
// PostgreSQL headers; the memory comes from the std::pmr resource given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/key_set.hpp"

namespace fkd {

// A key of more than 7 bytes: its hash, and where it is in the arena, where
// each such key is its length (8 bytes), then its bytes, padded to a
// multiple of 8.
struct TextEntry {
    std::uint64_t hash = 0;
    std::uint64_t place = 0;
};

// A key's hash: a key of at most 7 bytes is hashed as the word its slot
// holds (one keyed mix), a longer one 8 bytes at a time.
std::uint64_t text_hash(std::string_view key, const HashSecret &secret);

// Lookups in a built set, wherever it is (an owning set's, or bytes a
// parallel worker was sent: flat_key_sets.hpp). A slot is 8 bytes, so that
// a lookup of a short key reads one slot and nothing else: 0 for a free
// slot; a key of at most 7 bytes held in the slot itself, its bytes then its
// length + 1 in the last byte; or a longer key's entry number and 24 bits of
// its hash, the last byte 0xFF. Every entry number and place is checked
// before it is read.
struct TextLookup {
    const std::uint64_t *table = nullptr;
    std::size_t slot_count = 0;  // a power of two (kMinimumSlots or more), or 0
    int shift = 64;
    HashSecret secret{};
    const TextEntry *entries = nullptr;
    std::size_t entry_count = 0;
    const unsigned char *arena = nullptr;
    std::size_t arena_bytes = 0;

    bool contains(std::string_view key) const;
    // Fetches the key's first slot into the cache (lookup_batch.hpp).
    void prefetch(std::string_view key) const;
    bool worth_batching() const { return true; }
    // The key a slot holds, or nothing for a free slot or one whose length,
    // entry number or place is bad (the view may point into the table).
    std::optional<std::string_view> key_in(std::size_t slot) const;
    // A longer key's bytes in the arena, or nothing if its place is bad.
    std::optional<std::string_view> key_in_entry(const TextEntry &entry) const;
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
    void prefetch(std::string_view key) const { lookup().prefetch(key); }
    bool worth_batching() const { return true; }
    // Valid until the set changes.
    TextLookup lookup() const;
    // Makes room in the table for count keys at once; false if it would
    // not fit in max_bytes (then the set grows as keys come).
    bool reserve(std::size_t count);
    // Makes the table smaller when it is mostly empty (room reserved for
    // keys that did not come: a parent's statistics can be out of date).
    void fit();
    // Every key, in no order, as views into the set (valid until it changes).
    std::pmr::vector<std::string_view> keys(KeyMemory *memory) const;
    std::size_t size() const { return size_; }
    std::size_t bytes() const;

private:
    // A table of slots enough for count keys (at most half full), the keys
    // placed again; false if it would not fit.
    bool rehash(std::size_t count);
    // Where the key's bytes now start in the arena; nothing if they would
    // not fit in max_bytes.
    std::optional<std::size_t> append_to_arena(std::string_view key);
    bool room_for(std::size_t table_bytes, std::size_t arena_bytes) const;

    std::pmr::vector<std::uint64_t> table_;
    std::pmr::vector<TextEntry> entries_;  // the keys of more than 7 bytes
    std::pmr::vector<unsigned char> arena_;
    std::size_t size_ = 0;
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
