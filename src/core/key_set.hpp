// Sets of key values, for checking foreign keys without a hash join: the
// parent's keys held as a bitmap when they are dense integers (serial ids
// usually are) or in an open-addressing hash set, 8 to 32 bytes a key where
// a hash join spends about 48. Plain C++, no PostgreSQL headers.
//
// Memory: the sets grow with a table (up to maintenance_work_mem), so they
// take it from the std::pmr::memory_resource they are given; the server
// gives each check's sets a memory context of their own (key_set_memory.hpp).
// Sizes are checked before they are multiplied, so no count overflows one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory_resource>
#include <optional>
#include <vector>

namespace fkd {

// Where a set's memory comes from; the default is the C++ heap.
using KeyMemory = std::pmr::memory_resource;
inline KeyMemory *default_key_memory() { return std::pmr::get_default_resource(); }

// Keys read from a parent, before a set is built from them.
template <typename Key>
using KeyVector = std::pmr::vector<Key>;

// A key of one integer column, sign-extended to 64 bits.
using IntegerKey = std::int64_t;

// A key of 128 bits: a uuid, or two integer columns.
struct WideKey {
    std::uint64_t first = 0;
    std::uint64_t second = 0;

    bool operator==(const WideKey &other) const
    {
        return first == other.first && second == other.second;
    }
    bool operator!=(const WideKey &other) const { return !(*this == other); }
};

// The secret that places keys in a hash set. Keys come from tables whose
// owners choose them: with a fixed hash they could pick keys that all want
// one slot. The server draws a seed at random for each call.
struct HashSeed {
    std::uint64_t first = 0;
    std::uint64_t second = 0;
};

// What the hash uses, drawn from a seed once per set: any two seeds, however
// alike (tests use small ones), give unrelated secrets.
struct HashSecret {
    std::uint64_t mask;        // xor'ed into a key's first word
    std::uint64_t multiplier;  // odd; one per word
    std::uint64_t second_multiplier;
};
HashSecret secret_of(HashSeed seed);

// Called every kKeysPerInterruptCheck keys while a set is built or grown;
// the server passes check_for_interrupts(), which throws on a cancel or
// timeout. May be empty.
using InterruptCheck = std::function<void()>;
constexpr std::size_t kKeysPerInterruptCheck = 4096;

// No insert or lookup looks at more slots than this: a key that finds the
// kMaxProbes slots from its own taken is refused (Full), so no input makes
// either cost more. Keys hashed at random into a set at most half full need
// more than k slots with a chance of about (0.5 e^0.5)^k: 4e-6 for 64,
// 4e-22 for 256. Past that, the keys were chosen against the hash.
constexpr std::size_t kMaxProbes = 256;

// Lookups in a built hash set's slots, wherever they are: in a set that owns
// them, or in bytes a parallel worker was sent (flat_key_sets.hpp). The one
// probing loop serves both.
template <typename Key>
struct HashLookup {
    const Key *slots = nullptr;
    std::size_t slot_count = 0;  // a power of two (kMinimumSlots or more), or 0
    int shift = 64;              // a key's home slot: the top bits of its hash
    HashSecret secret{};
    bool holds_empty_marker = false;  // the set holds the value its free slots are marked with

    bool contains(const Key &key) const;
    // Fetches the key's first slot into the cache (lookup_batch.hpp).
    void prefetch(const Key &key) const;
    bool worth_batching() const { return true; }
};

// The value a free slot holds (a key equal to it is kept as a flag).
template <typename Key>
Key empty_marker();

// Lookups in a bitmap of integer keys over [least, least + range).
struct BitmapLookup {
    IntegerKey least = 0;
    std::uint64_t range = 0;
    const std::uint64_t *words = nullptr;  // range / 64 + 1 of them

    bool contains(IntegerKey key) const
    {
        std::uint64_t offset = static_cast<std::uint64_t>(key) - static_cast<std::uint64_t>(least);
        return offset < range && (words[offset / 64] >> (offset % 64) & 1) != 0;
    }
};

// An integer set's lookups: its bitmap's or its hash set's.
struct IntegerLookup {
    bool is_bitmap = true;
    BitmapLookup bitmap;
    HashLookup<IntegerKey> hash;

    bool contains(IntegerKey key) const
    {
        return is_bitmap ? bitmap.contains(key) : hash.contains(key);
    }
    // A bitmap stays in the cache: only a hash set's lookups gain from
    // being made together.
    bool worth_batching() const { return !is_bitmap; }
    void prefetch(IntegerKey key) const { hash.prefetch(key); }
};

// A hash set with linear probing. insert() refuses to grow past max_bytes,
// or to put a key past kMaxProbes slots from its own, and says so (Full),
// so that a caller can bound its memory and its work.
template <typename Key>
class KeyHashSet {
public:
    KeyHashSet(std::size_t max_bytes, HashSeed seed, InterruptCheck check_interrupts = {},
               KeyMemory *memory = default_key_memory())
        : slots_(memory), max_bytes_(max_bytes), secret_(secret_of(seed)),
          check_interrupts_(std::move(check_interrupts))
    {
    }

    enum class Insert { Added, Present, Full };
    Insert insert(const Key &key);
    bool contains(const Key &key) const { return lookup().contains(key); }
    // Valid until the set changes.
    HashLookup<Key> lookup() const;
    // Every key in the set, in no order.
    std::pmr::vector<Key> keys(KeyMemory *memory) const;
    std::size_t size() const { return size_; }
    std::size_t bytes() const { return slots_.size() * sizeof(Key); }
    // Makes room for count keys at once; false if they would not fit in
    // max_bytes (or, rehashed, crowd past kMaxProbes).
    bool reserve(std::size_t count);

    // Bytes a set of this many keys takes (at most half full).
    static std::size_t bytes_for(std::size_t count);

    // For tests: the slot where a key's probes start (0 while the set has
    // no slots), and the most slots any insert has looked at (never more
    // than kMaxProbes).
    std::size_t home_slot(const Key &key) const;
    std::size_t longest_probe() const { return longest_probe_; }

private:
    bool rehash(std::size_t new_slots);
    // Where key is, or the free slot to put it in, and how many slots were
    // looked at; nothing if it is neither within kMaxProbes of its own.
    std::optional<std::size_t> find_slot(const std::pmr::vector<Key> &slots, int shift,
                                         const Key &key, std::size_t &probes) const;

    std::pmr::vector<Key> slots_;  // kEmpty marks a free slot
    int shift_ = 64;          // a key's home slot: the top bits of its hash
    bool holds_empty_marker_ = false;  // the set holds the value kEmpty itself
    std::size_t size_ = 0;
    std::size_t longest_probe_ = 0;
    std::size_t max_bytes_;
    HashSecret secret_;
    InterruptCheck check_interrupts_;
};

extern template class KeyHashSet<IntegerKey>;
extern template class KeyHashSet<WideKey>;

// An integer parent's keys, fixed once built: a bitmap over [least,
// greatest] when that is no bigger than the hash set would be, else a hash
// set.
class IntegerKeySet {
public:
    // Builds the set, or nothing if it would take more than max_bytes or
    // the hash set refuses a key (kMaxProbes).
    static std::optional<IntegerKeySet> build(const KeyVector<IntegerKey> &keys,
                                              std::size_t max_bytes, HashSeed seed,
                                              const InterruptCheck &check_interrupts,
                                              KeyMemory *memory = default_key_memory());

    bool contains(IntegerKey key) const { return lookup().contains(key); }
    IntegerLookup lookup() const;
    std::size_t bytes() const;
    bool is_bitmap() const { return !hash_; }

private:
    explicit IntegerKeySet(KeyMemory *memory) : bitmap_(memory) {}

    IntegerKey least_ = 0;
    std::uint64_t range_ = 0;  // greatest - least + 1: bits in the bitmap
    std::pmr::vector<std::uint64_t> bitmap_;
    std::optional<KeyHashSet<IntegerKey>> hash_;
};

// A wide parent's keys: a hash set.
class WideKeySet {
public:
    static std::optional<WideKeySet> build(const KeyVector<WideKey> &keys,
                                           std::size_t max_bytes, HashSeed seed,
                                           const InterruptCheck &check_interrupts,
                                           KeyMemory *memory = default_key_memory());

    bool contains(const WideKey &key) const { return hash_.contains(key); }
    HashLookup<WideKey> lookup() const { return hash_.lookup(); }
    std::size_t bytes() const { return hash_.bytes(); }

private:
    WideKeySet(std::size_t max_bytes, HashSeed seed, KeyMemory *memory)
        : hash_(max_bytes, seed, {}, memory) {}

    KeyHashSet<WideKey> hash_;
};

// The set type for a key type.
template <typename Key>
struct ParentSetOf;
template <>
struct ParentSetOf<IntegerKey> {
    using type = IntegerKeySet;
    using lookup = IntegerLookup;
};
template <>
struct ParentSetOf<WideKey> {
    using type = WideKeySet;
    using lookup = HashLookup<WideKey>;
};

// The set a tally keeps its distinct missing keys in.
template <typename Key>
struct MissingSetOf {
    using type = KeyHashSet<Key>;
};

// One foreign key's tally over the child's rows: orphan rows, and the
// distinct missing keys while they fit in max_bytes (and kMaxProbes).
template <typename Key>
class OrphanTally {
public:
    using key_type = Key;
    using Set = typename MissingSetOf<Key>::type;

    OrphanTally(std::size_t max_bytes, HashSeed seed, InterruptCheck check_interrupts = {},
                KeyMemory *memory = default_key_memory())
        : missing_(max_bytes, seed, std::move(check_interrupts), memory)
    {
    }

    void add_orphan(const Key &key)
    {
        ++orphan_rows_;
        if (!overflowed_ && missing_.insert(key) == Set::Insert::Full)
            overflowed_ = true;
    }
    std::int64_t orphan_rows() const { return orphan_rows_; }
    // Nothing if the distinct missing keys outgrew the memory allowed, or
    // one of them was refused (kMaxProbes).
    std::optional<std::int64_t> missing_keys() const
    {
        if (overflowed_)
            return std::nullopt;
        return static_cast<std::int64_t>(missing_.size());
    }
    bool overflowed() const { return overflowed_; }
    std::pmr::vector<Key> distinct_missing(KeyMemory *memory) const { return missing_.keys(memory); }

    // Adds another tally of the same key over other rows (a parallel
    // worker's): its orphan rows, and its missing keys unless it overflowed.
    void merge(std::int64_t orphan_rows, bool overflowed, const Key *missing, std::size_t count)
    {
        orphan_rows_ += orphan_rows;
        overflowed_ = overflowed_ || overflowed;
        for (std::size_t n = 0; n < count && !overflowed_; ++n)
            overflowed_ = missing_.insert(missing[n]) == Set::Insert::Full;
    }

private:
    std::int64_t orphan_rows_ = 0;
    Set missing_;
    bool overflowed_ = false;
};

}  // namespace fkd
