#include "core/orphan_locations.hpp"

#include <cstring>

namespace fkd {

namespace {

constexpr std::size_t kHeaderWords = 3;
constexpr std::size_t kWordsPerLocation = 2;

std::uint64_t first_word(const OrphanLocation &location)
{
    return std::uint64_t{location.table} << 32 | location.row.block;
}

}  // namespace

bool OrphanLocations::merge(const OrphanLocations &other)
{
    if (other.most_ != most_)
        return false;
    overflowed_ = overflowed_ || other.overflowed_;
    for (const OrphanLocation &location : other.locations_)
        add(location);
    return true;
}

std::size_t OrphanLocations::serialized_bytes() const
{
    return (kHeaderWords + kWordsPerLocation * locations_.size()) * sizeof(std::uint64_t);
}

void OrphanLocations::serialize(std::uint64_t *out) const
{
    out[0] = most_;
    out[1] = overflowed_ ? 1 : 0;
    out[2] = locations_.size();
    for (std::size_t n = 0; n < locations_.size(); ++n) {
        out[kHeaderWords + kWordsPerLocation * n] = first_word(locations_[n]);
        out[kHeaderWords + kWordsPerLocation * n + 1] = locations_[n].row.offset;
    }
}

std::optional<OrphanLocations> OrphanLocations::deserialize(const void *data, std::size_t size,
                                                            KeyMemory *memory)
{
    constexpr std::size_t kWord = sizeof(std::uint64_t);
    if (size % kWord != 0 || size / kWord < kHeaderWords)
        return std::nullopt;
    const auto *words = static_cast<const std::uint64_t *>(data);
    std::uint64_t most = words[0], overflowed = words[1], count = words[2];
    if (overflowed > 1 || count > most ||
        count != (size / kWord - kHeaderWords) / kWordsPerLocation ||
        (size / kWord - kHeaderWords) % kWordsPerLocation != 0)
        return std::nullopt;
    OrphanLocations locations(most, memory);
    locations.overflowed_ = overflowed == 1;
    locations.locations_.reserve(static_cast<std::size_t>(count));
    for (std::size_t n = 0; n < count; ++n) {
        std::uint64_t first = words[kHeaderWords + kWordsPerLocation * n];
        std::uint64_t offset = words[kHeaderWords + kWordsPerLocation * n + 1];
        if (offset > UINT16_MAX)
            return std::nullopt;
        locations.locations_.push_back(
            {static_cast<std::uint32_t>(first >> 32),
             {static_cast<std::uint32_t>(first), static_cast<std::uint16_t>(offset)}});
    }
    return locations;
}

}  // namespace fkd
