#include "core/text_key_set.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/key_hash.hpp"

namespace fkd {

namespace {

constexpr std::size_t kWord = sizeof(std::uint64_t);
constexpr std::uint64_t kTaken = 1, kInSlot = 2, kFlags = kTaken | kInSlot;
constexpr std::size_t kMostInSlot = kWord - 1;

std::size_t padded(std::size_t length) { return (length + kWord - 1) / kWord * kWord; }

// A key's slot hash: its hash with the flags.
std::uint64_t slot_hash(std::uint64_t hash, bool in_slot)
{
    return (hash & ~kFlags) | kTaken | (in_slot ? kInSlot : 0);
}

bool same_hash(std::uint64_t slot, std::uint64_t hash) { return (slot & ~kFlags) == (hash & ~kFlags); }

// A short key in a slot's place: its bytes, then its length in the last.
std::uint64_t in_slot_place(std::string_view key)
{
    unsigned char bytes[kWord] = {};
    std::memcpy(bytes, key.data(), key.size());
    bytes[kWord - 1] = static_cast<unsigned char>(key.size());
    std::uint64_t place;
    std::memcpy(&place, bytes, kWord);
    return place;
}

// Where a key is in the table, or the free slot for it, along its probes;
// nothing past kMaxProbes.
std::optional<std::size_t> find_text_slot(const TextLookup &table, std::uint64_t hash,
                                          std::string_view key)
{
    std::size_t mask = table.slot_count - 1;
    std::size_t slot = static_cast<std::size_t>(hash >> table.shift);
    for (std::size_t probes = 1; probes <= kMaxProbes; ++probes, slot = (slot + 1) & mask) {
        if (table.table[slot] == 0)
            return slot;
        const TextEntry *entry = table.entry_at(slot);
        if (entry && same_hash(entry->hash, hash) && table.key_at(*entry) == key)
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

const TextEntry *TextLookup::entry_at(std::size_t slot) const
{
    std::uint32_t number = table[slot];
    if (number == 0 || number > entry_count)
        return nullptr;
    return &entries[number - 1];
}

std::optional<std::string_view> TextLookup::key_at(const TextEntry &entry) const
{
    if (entry.hash & kInSlot) {
        const auto *bytes = reinterpret_cast<const char *>(&entry.place);
        auto length = static_cast<unsigned char>(bytes[kWord - 1]);
        if (length > kMostInSlot)
            return std::nullopt;
        return std::string_view(bytes, length);
    }
    std::uint64_t start = entry.place;
    if (start > arena_bytes || arena_bytes - start < kWord)
        return std::nullopt;
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
    return slot && table[*slot] != 0;
}

TextKeySet::TextKeySet(std::size_t max_bytes, HashSeed seed, InterruptCheck check_interrupts,
                       KeyMemory *memory)
    : table_(memory), entries_(memory), arena_(memory), max_bytes_(max_bytes),
      secret_(secret_of(seed)), check_interrupts_(std::move(check_interrupts))
{
}

TextLookup TextKeySet::lookup() const
{
    return {table_.data(), table_.size(), shift_,          secret_,
            entries_.data(), entries_.size(), arena_.data(), arena_.size()};
}

std::size_t TextKeySet::bytes() const
{
    return table_.capacity() * sizeof(std::uint32_t) + entries_.capacity() * sizeof(TextEntry) +
           arena_.capacity();
}

bool TextKeySet::room_for(std::size_t fixed_bytes, std::size_t growing_bytes) const
{
    return fixed_bytes <= max_bytes_ && growing_bytes <= max_bytes_ - fixed_bytes;
}

// Twice the slots, each entry placed again by its stored hash.
bool TextKeySet::grow_table()
{
    std::size_t count = std::max(kMinimumSlots, 2 * table_.size());
    std::size_t others = entries_.capacity() * sizeof(TextEntry) + arena_.capacity();
    if (count > max_bytes_ / sizeof(std::uint32_t) || !room_for(others, count * sizeof(std::uint32_t)))
        return false;
    std::pmr::vector<std::uint32_t> grown(count, 0, table_.get_allocator());
    int shift = shift_for(count);
    for (std::size_t n = 0; n < entries_.size(); ++n) {
        if (check_interrupts_ && (n + 1) % kKeysPerInterruptCheck == 0)
            check_interrupts_();
        std::size_t at = static_cast<std::size_t>(entries_[n].hash >> shift), probes = 1;
        while (grown[at] != 0 && probes++ <= kMaxProbes)
            at = (at + 1) & (count - 1);
        if (grown[at] != 0)
            return false;
        grown[at] = static_cast<std::uint32_t>(n + 1);
    }
    table_.swap(grown);
    shift_ = shift;
    return true;
}

namespace {

// Room for one more of items (vector growth doubling, within max_bytes
// with the other memory the set holds).
template <typename Vector>
bool room_for_one_more(Vector &items, std::size_t other_bytes, std::size_t max_bytes)
{
    using Item = typename Vector::value_type;
    if (items.size() < items.capacity())
        return true;
    std::size_t capacity = std::max<std::size_t>(16, 2 * items.capacity());
    if (other_bytes > max_bytes || capacity > (max_bytes - other_bytes) / sizeof(Item))
        capacity = items.size() + 1;
    if (other_bytes > max_bytes || capacity > (max_bytes - other_bytes) / sizeof(Item))
        return false;
    items.reserve(capacity);
    return true;
}

}  // namespace

TextKeySet::Insert TextKeySet::insert(std::string_view key)
{
    std::uint64_t hash = text_hash(key, secret_);
    std::optional<std::size_t> slot;
    if (!table_.empty()) {
        slot = find_text_slot(lookup(), hash, key);
        if (slot && table_[*slot] != 0)
            return Insert::Present;
    }
    if (entries_.size() >= std::numeric_limits<std::uint32_t>::max() - 1)
        return Insert::Full;
    if (2 * (entries_.size() + 1) > table_.size()) {
        if (!grow_table())
            return Insert::Full;
        slot = find_text_slot(lookup(), hash, key);
    }
    if (!slot || !room_for_one_more(entries_,
                                    table_.capacity() * sizeof(std::uint32_t) + arena_.capacity(),
                                    max_bytes_))
        return Insert::Full;
    TextEntry entry{slot_hash(hash, key.size() <= kMostInSlot), 0};
    if (key.size() <= kMostInSlot) {
        entry.place = in_slot_place(key);
    } else {
        std::optional<std::size_t> start = append_to_arena(key);
        if (!start)
            return Insert::Full;
        entry.place = *start;
    }
    entries_.push_back(entry);
    table_[*slot] = static_cast<std::uint32_t>(entries_.size());
    return Insert::Added;
}

std::optional<std::size_t> TextKeySet::append_to_arena(std::string_view key)
{
    std::size_t needed = kWord + padded(key.size());
    std::size_t others = table_.capacity() * sizeof(std::uint32_t) +
                         entries_.capacity() * sizeof(TextEntry);
    if (key.size() > max_bytes_ || !room_for(others, arena_.size() + needed))
        return std::nullopt;
    if (arena_.size() + needed > arena_.capacity()) {
        std::size_t capacity = std::max(2 * arena_.capacity(), arena_.size() + needed);
        if (!room_for(others, capacity))
            capacity = arena_.size() + needed;
        arena_.reserve(capacity);
    }
    std::size_t start = arena_.size();
    std::uint64_t length = key.size();
    arena_.resize(start + needed, 0);
    std::memcpy(arena_.data() + start, &length, kWord);
    std::memcpy(arena_.data() + start + kWord, key.data(), key.size());
    return start;
}

std::pmr::vector<std::string_view> TextKeySet::keys(KeyMemory *memory) const
{
    std::pmr::vector<std::string_view> keys(memory);
    keys.reserve(entries_.size());
    TextLookup table = lookup();
    for (const TextEntry &entry : entries_)
        keys.push_back(*table.key_at(entry));
    return keys;
}

}  // namespace fkd
