#include "core/text_key_set.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/key_hash.hpp"

namespace fkd {

namespace {

constexpr std::size_t kWord = sizeof(std::uint64_t);

std::size_t padded(std::size_t length) { return (length + kWord - 1) / kWord * kWord; }

// Where a key is in the table, or the free slot for it, along its probes;
// nothing past kMaxProbes.
std::optional<std::size_t> find_text_slot(const TextLookup &table, std::uint64_t hash,
                                          std::string_view key)
{
    std::size_t mask = table.slot_count - 1;
    std::size_t slot = static_cast<std::size_t>(hash >> table.shift);
    for (std::size_t probes = 1; probes <= kMaxProbes; ++probes, slot = (slot + 1) & mask) {
        const TextSlot &at = table.slots[slot];
        if (at.place == 0)
            return slot;
        if (at.hash == hash && table.key_at(at.place) == key)
            return slot;
    }
    return std::nullopt;
}

}  // namespace

// Eight bytes at a time through the keyed mix, the length last.
std::uint64_t text_hash(std::string_view key, const HashSecret &secret)
{
    std::uint64_t h = secret.mask;
    std::size_t at = 0;
    for (; at + kWord <= key.size(); at += kWord) {
        std::uint64_t word;
        std::memcpy(&word, key.data() + at, kWord);
        h = mix(word, h, secret.multiplier);
    }
    std::uint64_t tail = 0;
    if (at < key.size())
        std::memcpy(&tail, key.data() + at, key.size() - at);
    h = mix(tail, h, secret.multiplier);
    return mix(key.size(), h, secret.second_multiplier);
}

std::optional<std::string_view> TextLookup::key_at(std::uint64_t place) const
{
    if (place == 0 || place - 1 > arena_bytes || arena_bytes - (place - 1) < kWord)
        return std::nullopt;
    std::size_t start = static_cast<std::size_t>(place - 1);
    std::uint64_t length;
    std::memcpy(&length, arena + start, kWord);
    if (length > arena_bytes - start - kWord)
        return std::nullopt;
    return std::string_view(reinterpret_cast<const char *>(arena + start + kWord),
                            static_cast<std::size_t>(length));
}

bool TextLookup::contains(std::string_view key) const
{
    if (slot_count == 0)
        return false;
    std::optional<std::size_t> slot = find_text_slot(*this, text_hash(key, secret), key);
    return slot && slots[*slot].place != 0;
}

TextKeySet::TextKeySet(std::size_t max_bytes, HashSeed seed, InterruptCheck check_interrupts,
                       KeyMemory *memory)
    : slots_(memory), arena_(memory), max_bytes_(max_bytes), secret_(secret_of(seed)),
      check_interrupts_(std::move(check_interrupts))
{
}

TextLookup TextKeySet::lookup() const
{
    return {slots_.data(), slots_.size(), shift_, secret_, arena_.data(), arena_.size()};
}

std::size_t TextKeySet::bytes() const
{
    return slots_.capacity() * sizeof(TextSlot) + arena_.capacity();
}

bool TextKeySet::room_for(std::size_t table_bytes, std::size_t arena_bytes) const
{
    return table_bytes <= max_bytes_ && arena_bytes <= max_bytes_ - table_bytes;
}

// Twice the slots, each key moved by its stored hash (the arena stays).
bool TextKeySet::grow_table()
{
    std::size_t count = std::max(kMinimumSlots, 2 * slots_.size());
    if (count > max_bytes_ / sizeof(TextSlot) ||
        !room_for(count * sizeof(TextSlot), arena_.capacity()))
        return false;
    std::pmr::vector<TextSlot> grown(count, TextSlot{}, slots_.get_allocator());
    int shift = shift_for(count);
    std::size_t moved = 0;
    for (const TextSlot &slot : slots_) {
        if (slot.place == 0)
            continue;
        if (check_interrupts_ && ++moved % kKeysPerInterruptCheck == 0)
            check_interrupts_();
        std::size_t at = static_cast<std::size_t>(slot.hash >> shift), probes = 1;
        while (grown[at].place != 0 && probes++ <= kMaxProbes)
            at = (at + 1) & (count - 1);
        if (grown[at].place != 0)
            return false;
        grown[at] = slot;
    }
    slots_.swap(grown);
    shift_ = shift;
    return true;
}

TextKeySet::Insert TextKeySet::insert(std::string_view key)
{
    std::uint64_t hash = text_hash(key, secret_);
    std::optional<std::size_t> slot;
    if (!slots_.empty()) {
        slot = find_text_slot(lookup(), hash, key);
        if (slot && slots_[*slot].place != 0)
            return Insert::Present;
    }
    if (2 * (size_ + 1) > slots_.size()) {
        if (!grow_table())
            return Insert::Full;
        slot = find_text_slot(lookup(), hash, key);
    }
    std::size_t needed = kWord + padded(key.size());
    if (!slot || key.size() > max_bytes_ || needed > max_bytes_ - arena_.size())
        return Insert::Full;
    if (arena_.size() + needed > arena_.capacity()) {
        std::size_t table_bytes = slots_.capacity() * sizeof(TextSlot);
        std::size_t capacity = std::max(2 * arena_.capacity(), arena_.size() + needed);
        if (!room_for(table_bytes, capacity))
            capacity = arena_.size() + needed;
        if (!room_for(table_bytes, capacity))
            return Insert::Full;
        arena_.reserve(capacity);
    }
    std::size_t start = arena_.size();
    std::uint64_t length = key.size();
    arena_.resize(start + needed, 0);
    std::memcpy(arena_.data() + start, &length, kWord);
    std::memcpy(arena_.data() + start + kWord, key.data(), key.size());
    slots_[*slot] = {hash, start + 1};
    ++size_;
    return Insert::Added;
}

std::pmr::vector<std::string_view> TextKeySet::keys(KeyMemory *memory) const
{
    std::pmr::vector<std::string_view> keys(memory);
    keys.reserve(size_);
    TextLookup table = lookup();
    for (const TextSlot &slot : slots_)
        if (slot.place != 0)
            keys.push_back(*table.key_at(slot.place));
    return keys;
}

}  // namespace fkd
