// Sets of key values, for checking foreign keys without a hash join: the
// parent's keys held as a bitmap when they are dense integers (serial ids
// usually are) or in an open-addressing hash set, 8 to 32 bytes a key where
// a hash join spends about 48. Plain C++, no PostgreSQL headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace fkd {

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

// A hash set with linear probing. insert() refuses to grow past max_bytes
// and says so, so that a caller can bound its memory.
template <typename Key>
class KeyHashSet {
public:
    explicit KeyHashSet(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    enum class Insert { Added, Present, Full };
    Insert insert(const Key &key);
    bool contains(const Key &key) const;
    std::size_t size() const { return size_; }
    std::size_t bytes() const { return slots_.size() * sizeof(Key); }

    // Bytes a set of this many keys takes (at most half full).
    static std::size_t bytes_for(std::size_t count);

private:
    std::size_t slot_of(const Key &key) const;
    std::size_t next_slot(std::size_t slot) const { return (slot + 1) & (slots_.size() - 1); }
    bool grow();

    std::vector<Key> slots_;  // kEmpty marks a free slot
    bool holds_empty_marker_ = false;  // the set holds the value kEmpty itself
    std::size_t size_ = 0;
    std::size_t max_bytes_;
};

extern template class KeyHashSet<IntegerKey>;
extern template class KeyHashSet<WideKey>;

// An integer parent's keys, fixed once built: a bitmap over [least,
// greatest] when that is no bigger than the hash set would be, else a hash
// set.
class IntegerKeySet {
public:
    // Builds the set, or nothing if it would take more than max_bytes.
    static std::optional<IntegerKeySet> build(const std::vector<IntegerKey> &keys,
                                              std::size_t max_bytes);

    bool contains(IntegerKey key) const;
    std::size_t bytes() const;
    bool is_bitmap() const { return !hash_; }

private:
    IntegerKeySet() = default;

    IntegerKey least_ = 0;
    std::uint64_t range_ = 0;  // greatest - least + 1: bits in the bitmap
    std::vector<std::uint64_t> bitmap_;
    std::optional<KeyHashSet<IntegerKey>> hash_;
};

// A wide parent's keys: a hash set.
class WideKeySet {
public:
    static std::optional<WideKeySet> build(const std::vector<WideKey> &keys,
                                           std::size_t max_bytes);

    bool contains(const WideKey &key) const { return hash_.contains(key); }
    std::size_t bytes() const { return hash_.bytes(); }

private:
    explicit WideKeySet(std::size_t max_bytes) : hash_(max_bytes) {}

    KeyHashSet<WideKey> hash_;
};

// The set type for a key type.
template <typename Key>
struct ParentSetOf;
template <>
struct ParentSetOf<IntegerKey> {
    using type = IntegerKeySet;
};
template <>
struct ParentSetOf<WideKey> {
    using type = WideKeySet;
};

// One foreign key's tally over the child's rows: orphan rows, and the
// distinct missing keys while they fit in max_bytes.
template <typename Key>
class OrphanTally {
public:
    explicit OrphanTally(std::size_t max_bytes) : missing_(max_bytes) {}

    void add_orphan(const Key &key)
    {
        ++orphan_rows_;
        if (!overflowed_ && missing_.insert(key) == KeyHashSet<Key>::Insert::Full)
            overflowed_ = true;
    }
    std::int64_t orphan_rows() const { return orphan_rows_; }
    // Nothing if the distinct missing keys outgrew the memory allowed.
    std::optional<std::int64_t> missing_keys() const
    {
        if (overflowed_)
            return std::nullopt;
        return static_cast<std::int64_t>(missing_.size());
    }

private:
    std::int64_t orphan_rows_ = 0;
    KeyHashSet<Key> missing_;
    bool overflowed_ = false;
};

}  // namespace fkd
