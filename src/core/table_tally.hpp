// The tallies of one scan of a child table, for each of its keys checked in
// memory: the rows read, and each key's orphan rows and distinct missing
// keys. A parallel scan keeps one per process (the leader and each worker)
// and adds them up; this is what travels between them, as bytes. Plain C++,
// no PostgreSQL headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "core/flat_key_sets.hpp"
#include "core/key_set.hpp"
#include "core/text_key_set.hpp"

namespace fkd {

// What one key's tally is: of 64-bit, 128-bit or text keys, and the memory
// its distinct missing keys may use.
enum class TallyKind : std::uint64_t { Integer = 0, Wide = 1, Text = 2 };
struct TallyShape {
    TallyKind kind = TallyKind::Integer;
    std::uint64_t bytes = 0;
    bool operator==(const TallyShape &other) const
    {
        return kind == other.kind && bytes == other.bytes;
    }
};
using TallyShapes = std::pmr::vector<TallyShape>;

// One shape per set: each of its kind, allowed the set's tally_bytes.
TallyShapes shapes_of(const FlatKeySets &sets, KeyMemory *memory);

class TableTally {
public:
    TableTally(const TallyShapes &shapes, HashSeed seed, KeyMemory *memory);

    void count_row() { ++rows_; }
    void add_orphan(std::size_t key, IntegerKey missing);
    void add_orphan(std::size_t key, const WideKey &missing);
    void add_orphan(std::size_t key, std::string_view missing);

    const TallyShapes &shapes() const { return shapes_; }
    // Adds another tally of the same shapes (over other rows); false, with
    // nothing added, if its shapes differ.
    bool merge(const TableTally &other);

    // The tally as bytes, and back: nothing if the bytes are not a tally.
    std::size_t serialized_bytes() const;
    void serialize(void *out) const;  // serialized_bytes() bytes, aligned to 8
    static std::optional<TableTally> deserialize(const void *data, std::size_t size,
                                                 HashSeed seed, KeyMemory *memory);

    // rows, then for each key its orphan rows and distinct missing keys
    // (-1 where they did not fit).
    std::vector<std::int64_t> result() const;

private:
    using Tally = std::variant<OrphanTally<IntegerKey>, OrphanTally<WideKey>,
                               OrphanTally<std::string_view>>;
    std::int64_t rows_ = 0;
    TallyShapes shapes_;
    std::pmr::vector<Tally> tallies_;
    KeyMemory *memory_;
};

}  // namespace fkd
