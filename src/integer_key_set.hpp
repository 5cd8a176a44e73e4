// Sets of 64-bit integer keys, for checking integer foreign keys without a
// hash join: the parent's keys held as a bitmap when they are dense (serial
// ids usually are) or an open-addressing hash set, a few bytes per key where
// a hash join spends about 48. Plain C++, no PostgreSQL headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace fkd {

// A hash set of int64 with linear probing. insert() refuses to grow past
// max_bytes and says so, so a caller can bound its memory.
class Int64HashSet {
public:
    explicit Int64HashSet(std::size_t max_bytes);

    enum class Insert { Added, Present, Full };
    Insert insert(std::int64_t value);
    bool contains(std::int64_t value) const;
    std::size_t size() const { return size_; }
    std::size_t bytes() const { return slots_.capacity() * sizeof(std::int64_t); }

    // Bytes a set of this many values takes (at most half full).
    static std::size_t bytes_for(std::size_t count);

private:
    std::size_t slot_of(std::int64_t value) const;
    bool grow();

    std::vector<std::int64_t> slots_;  // kEmpty marks a free slot
    bool has_empty_marker_value_ = false;  // the set holds kEmpty itself
    std::size_t size_ = 0;
    std::size_t max_bytes_;
};

// The parent's keys, fixed once built: a bitmap over [min, max] when that is
// no bigger than the hash set would be, else a hash set.
class ParentKeySet {
public:
    // Builds the set, or nothing if it would take more than max_bytes.
    static std::optional<ParentKeySet> build(const std::vector<std::int64_t> &keys,
                                             std::size_t max_bytes);

    bool contains(std::int64_t value) const;
    std::size_t bytes() const;
    bool is_bitmap() const { return !hash_; }

private:
    ParentKeySet() = default;

    std::int64_t min_ = 0;
    std::uint64_t range_ = 0;  // max - min + 1, bits in the bitmap
    std::vector<std::uint64_t> bitmap_;
    std::optional<Int64HashSet> hash_;
};

// One foreign key's tally over the child's rows: orphan rows, and the
// distinct missing keys while they fit in max_bytes.
class OrphanTally {
public:
    explicit OrphanTally(std::size_t max_bytes) : missing_(max_bytes) {}

    void add_orphan(std::int64_t value);
    std::int64_t orphan_rows() const { return orphan_rows_; }
    // Nothing if the distinct missing keys outgrew the memory allowed.
    std::optional<std::int64_t> missing_keys() const;

private:
    std::int64_t orphan_rows_ = 0;
    Int64HashSet missing_;
    bool overflowed_ = false;
};

}  // namespace fkd
