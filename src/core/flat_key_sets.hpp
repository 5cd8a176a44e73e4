// A table's parent key sets (key_set.hpp) written into one block of bytes,
// and looked up in place there: how the parent keys reach PostgreSQL's
// parallel workers, as a query parameter, so that the child is scanned by
// the leader and the workers together (server/parallel_key_check.hpp).
//
// The block is an SQL value that anyone could hand to the functions reading
// it, so the reader trusts none of it: bytes either read as sets whose every
// lookup stays inside the block, or are refused. Plain C++, no PostgreSQL
// headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/key_set.hpp"
#include "core/text_key_set.hpp"

namespace fkd {

// How one key's parent keys are held, and so how the child's columns are
// read for it: one integer column (a bitmap or a hash set of 64-bit keys),
// a uuid or two integer columns (128 bits), or one text column.
enum class FlatSetKind : std::uint64_t {
    IntegerBitmap = 1,
    IntegerHash = 2,
    WideHash = 3,
    TextHash = 4
};

// One key's set as read from a block: lookups pointing into the block.
struct FlatKeySet {
    FlatSetKind kind;
    IntegerLookup integer;      // IntegerBitmap, IntegerHash
    HashLookup<WideKey> wide;  // WideHash
    TextLookup text;           // TextHash
    std::uint64_t tally_bytes;  // what the key's tally of missing keys may use
};

// Writes the sets of several keys, in the order of their columns in the
// child's rows, into one block. The sets must outlive the writer.
class FlatKeySetWriter {
public:
    void add(const IntegerLookup &set, std::uint64_t tally_bytes);
    void add(const HashLookup<WideKey> &set, std::uint64_t tally_bytes);
    void add(const TextLookup &set, std::uint64_t tally_bytes);
    std::size_t bytes() const;
    // out: bytes() bytes, aligned to 8.
    void write(void *out) const;

private:
    std::vector<FlatKeySet> sets_;
};

// The sets in a block written by FlatKeySetWriter, or nothing if the bytes
// are not such a block. data: size bytes, aligned to 8; the sets point into
// it and live as long as it does.
using FlatKeySets = std::pmr::vector<FlatKeySet>;
std::optional<FlatKeySets> read_flat_key_sets(const void *data, std::size_t size,
                                              KeyMemory *memory = default_key_memory());

}  // namespace fkd
