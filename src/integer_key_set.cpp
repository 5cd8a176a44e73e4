#include "integer_key_set.hpp"

#include <algorithm>
#include <limits>

#ifdef POSTGRES_H
static_assert(false, "the integer key sets are plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

constexpr std::int64_t kEmpty = std::numeric_limits<std::int64_t>::min();
constexpr std::size_t kMinimumSlots = 16;

std::size_t slots_for(std::size_t count)
{
    std::size_t slots = kMinimumSlots;
    while (slots < 2 * count)
        slots *= 2;
    return slots;
}

}  // namespace

Int64HashSet::Int64HashSet(std::size_t max_bytes) : max_bytes_(max_bytes) {}

std::size_t Int64HashSet::bytes_for(std::size_t count)
{
    return slots_for(count) * sizeof(std::int64_t);
}

// Fibonacci hashing: the top bits of the product spread consecutive keys.
std::size_t Int64HashSet::slot_of(std::int64_t value) const
{
    std::uint64_t product = static_cast<std::uint64_t>(value) * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(product >> 32) & (slots_.size() - 1);
}

bool Int64HashSet::grow()
{
    std::size_t new_slots = std::max(kMinimumSlots, 2 * slots_.size());
    if (new_slots * sizeof(std::int64_t) > max_bytes_)
        return false;
    std::vector<std::int64_t> old(new_slots, kEmpty);
    old.swap(slots_);
    for (std::int64_t value : old) {
        if (value == kEmpty)
            continue;
        std::size_t slot = slot_of(value);
        while (slots_[slot] != kEmpty)
            slot = (slot + 1) & (slots_.size() - 1);
        slots_[slot] = value;
    }
    return true;
}

Int64HashSet::Insert Int64HashSet::insert(std::int64_t value)
{
    if (value == kEmpty) {
        if (has_empty_marker_value_)
            return Insert::Present;
        has_empty_marker_value_ = true;
        ++size_;
        return Insert::Added;
    }
    if (contains(value))
        return Insert::Present;
    if (2 * (size_ + 1) > slots_.size() && !grow())
        return Insert::Full;
    std::size_t slot = slot_of(value);
    while (slots_[slot] != kEmpty)
        slot = (slot + 1) & (slots_.size() - 1);
    slots_[slot] = value;
    ++size_;
    return Insert::Added;
}

bool Int64HashSet::contains(std::int64_t value) const
{
    if (value == kEmpty)
        return has_empty_marker_value_;
    if (slots_.empty())
        return false;
    for (std::size_t slot = slot_of(value);; slot = (slot + 1) & (slots_.size() - 1)) {
        if (slots_[slot] == value)
            return true;
        if (slots_[slot] == kEmpty)
            return false;
    }
}

std::optional<ParentKeySet> ParentKeySet::build(const std::vector<std::int64_t> &keys,
                                                std::size_t max_bytes)
{
    ParentKeySet set;
    if (keys.empty())
        return set;
    auto [low, high] = std::minmax_element(keys.begin(), keys.end());
    // Unsigned arithmetic: the full int64 range wraps to 0, "too wide".
    std::uint64_t range = static_cast<std::uint64_t>(*high) - static_cast<std::uint64_t>(*low) + 1;
    std::size_t hash_bytes = Int64HashSet::bytes_for(keys.size());
    std::uint64_t bitmap_words = range / 64 + 1;
    if (range != 0 && bitmap_words <= hash_bytes / sizeof(std::uint64_t) &&
        bitmap_words * sizeof(std::uint64_t) <= max_bytes) {
        set.min_ = *low;
        set.range_ = range;
        set.bitmap_.assign(bitmap_words, 0);
        for (std::int64_t key : keys) {
            std::uint64_t offset = static_cast<std::uint64_t>(key) - static_cast<std::uint64_t>(*low);
            set.bitmap_[offset / 64] |= std::uint64_t{1} << (offset % 64);
        }
        return set;
    }
    if (hash_bytes > max_bytes)
        return std::nullopt;
    set.hash_.emplace(hash_bytes);
    for (std::int64_t key : keys)
        set.hash_->insert(key);
    return set;
}

bool ParentKeySet::contains(std::int64_t value) const
{
    if (hash_)
        return hash_->contains(value);
    std::uint64_t offset = static_cast<std::uint64_t>(value) - static_cast<std::uint64_t>(min_);
    return offset < range_ && (bitmap_[offset / 64] >> (offset % 64) & 1) != 0;
}

std::size_t ParentKeySet::bytes() const
{
    return hash_ ? hash_->bytes() : bitmap_.size() * sizeof(std::uint64_t);
}

void OrphanTally::add_orphan(std::int64_t value)
{
    ++orphan_rows_;
    if (!overflowed_ && missing_.insert(value) == Int64HashSet::Insert::Full)
        overflowed_ = true;
}

std::optional<std::int64_t> OrphanTally::missing_keys() const
{
    if (overflowed_)
        return std::nullopt;
    return static_cast<std::int64_t>(missing_.size());
}

}  // namespace fkd
