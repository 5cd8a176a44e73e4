// Where a key's orphan rows are, as the scan that looks for them in memory
// finds them in each process (fkdoctor_internal.fk_orphan_locations), added
// up, and sent between processes as words. At most a given number are
// kept: past it the list says it overflowed, so that its memory stays
// bounded whatever the number of orphans. Plain C++.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/key_set.hpp"
#include "core/row_address.hpp"

namespace fkd {

struct OrphanLocation {
    std::uint32_t table = 0;  // the heap's oid: the child, or one of its partitions
    RowAddress row;
};

class OrphanLocations {
public:
    OrphanLocations(std::uint64_t most, KeyMemory *memory) : most_(most), locations_(memory) {}

    void add(const OrphanLocation &location)
    {
        if (locations_.size() < most_)
            locations_.push_back(location);
        else
            overflowed_ = true;
    }
    // Adds another process's; false if it was kept with another limit.
    bool merge(const OrphanLocations &other);

    bool overflowed() const { return overflowed_; }
    std::uint64_t most() const { return most_; }
    const std::pmr::vector<OrphanLocation> &locations() const { return locations_; }

    // As words: most, overflowed, the count, then two words a location.
    std::size_t serialized_bytes() const;
    void serialize(std::uint64_t *out) const;
    // Nothing if the bytes are not such words (or hold more than most).
    static std::optional<OrphanLocations> deserialize(const void *data, std::size_t size,
                                                      KeyMemory *memory);

private:
    std::uint64_t most_;
    std::pmr::vector<OrphanLocation> locations_;
    bool overflowed_ = false;
};

}  // namespace fkd
