#include "core/text_key_set.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/key_hash.hpp"

namespace fkd {

namespace {

constexpr std::size_t kWord = sizeof(std::uint64_t);
constexpr std::size_t kMostInSlot = kWord - 1;
constexpr unsigned char kReference = 0xFF;

std::size_t padded(std::size_t length) { return (length + kWord - 1) / kWord * kWord; }

bool held_in_slot(std::string_view key) { return key.size() <= kMostInSlot; }

// Slots are made and read byte by byte (memcpy), so that a short key's
// bytes are the slot's first bytes in memory whatever the byte order.
using SlotBytes = unsigned char[kWord];

std::uint64_t slot_of(const SlotBytes &bytes)
{
    std::uint64_t slot;
    std::memcpy(&slot, bytes, kWord);
    return slot;
}

unsigned char last_byte(std::uint64_t slot)
{
    SlotBytes bytes;
    std::memcpy(bytes, &slot, kWord);
    return bytes[kWord - 1];
}

template <typename Word>
std::uint64_t load(const char *at)
{
    Word word;
    std::memcpy(&word, at, sizeof word);
    return word;
}

// A short key's slot: its bytes, then its length + 1 in the last byte. It
// runs for every row of a scan: where the bytes of a word are in memory
// order of significance (little-endian), the word is put together from two
// loads that may overlap (equal bytes OR'ed), without going through memory.
std::uint64_t in_slot(std::string_view key)
{
    std::size_t size = key.size();
    const char *at = key.data();
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    std::uint64_t word = 0;
    if (size >= 4)
        word = load<std::uint32_t>(at) | load<std::uint32_t>(at + size - 4) << (8 * (size - 4));
    else if (size > 0)
        word = load<std::uint8_t>(at) | load<std::uint8_t>(at + size / 2) << (8 * (size / 2)) |
               load<std::uint8_t>(at + size - 1) << (8 * (size - 1));
    return word | static_cast<std::uint64_t>(size + 1) << (8 * (kWord - 1));
#else
    SlotBytes bytes = {};
    std::memcpy(bytes, at, size);
    bytes[kWord - 1] = static_cast<unsigned char>(size + 1);
    return slot_of(bytes);
#endif
}

// A longer key's slot: its entry number, 24 bits of its hash, kReference.
std::uint64_t reference_slot(std::uint32_t number, std::uint64_t hash)
{
    SlotBytes bytes = {};
    std::memcpy(bytes, &number, sizeof number);
    for (int n = 0; n < 3; ++n)
        bytes[4 + n] = static_cast<unsigned char>(hash >> (8 * (n + 1)));
    bytes[kWord - 1] = kReference;
    return slot_of(bytes);
}

std::uint32_t number_in(std::uint64_t slot)
{
    std::uint32_t number;
    std::memcpy(&number, &slot, sizeof number);
    return number;
}

// A reference slot without its entry number: its hash bits and kReference.
std::uint64_t reference_tag(std::uint64_t slot)
{
    static const std::uint64_t mask = reference_slot(0, ~std::uint64_t{0});
    return slot & mask;
}

// What a key's slot holds: the key itself, or (for a longer key) its
// reference without the entry number, which find_text_slot compares by tag.
struct WantedSlot {
    std::uint64_t hash;
    std::uint64_t slot;
};

WantedSlot wanted_slot(std::string_view key, const HashSecret &secret)
{
    if (held_in_slot(key)) {
        std::uint64_t slot = in_slot(key);
        return {mix(slot, secret.mask, secret.multiplier), slot};
    }
    std::uint64_t hash = text_hash(key, secret);
    return {hash, reference_tag(reference_slot(0, hash))};
}

bool holds_long_key(const TextLookup &table, std::uint64_t slot, std::uint64_t hash,
                    std::string_view key)
{
    std::uint32_t number = number_in(slot);
    if (number >= table.entry_count || table.entries[number].hash != hash)
        return false;
    std::optional<std::string_view> held = table.key_in_entry(table.entries[number]);
    return held && *held == key;
}

// Where a key is in the table, or the free slot for it, along its probes;
// nothing past kMaxProbes.
std::optional<std::size_t> find_text_slot(const TextLookup &table, const WantedSlot &wanted,
                                          std::string_view key)
{
    std::size_t mask = table.slot_count - 1;
    std::size_t slot = static_cast<std::size_t>(wanted.hash >> table.shift);
    bool short_key = held_in_slot(key);
    for (std::size_t probes = 1; probes <= kMaxProbes; ++probes, slot = (slot + 1) & mask) {
        std::uint64_t held = table.table[slot];
        if (held == 0)
            return slot;
        if (short_key ? held == wanted.slot
                      : reference_tag(held) == wanted.slot &&
                            holds_long_key(table, held, wanted.hash, key))
            return slot;
    }
    return std::nullopt;
}

}  // namespace

std::uint64_t text_hash(std::string_view key, const HashSecret &secret)
{
    if (held_in_slot(key))
        return mix(in_slot(key), secret.mask, secret.multiplier);
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

std::optional<std::string_view> TextLookup::key_in_entry(const TextEntry &entry) const
{
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

std::optional<std::string_view> TextLookup::key_in(std::size_t slot) const
{
    std::uint64_t held = table[slot];
    unsigned char last = last_byte(held);
    if (last == kReference) {
        std::uint32_t number = number_in(held);
        if (number >= entry_count)
            return std::nullopt;
        return key_in_entry(entries[number]);
    }
    if (held == 0 || last > kMostInSlot + 1)
        return std::nullopt;
    return std::string_view(reinterpret_cast<const char *>(&table[slot]), last - 1);
}

bool TextLookup::contains(std::string_view key) const
{
    if (slot_count == 0)
        return false;
    std::optional<std::size_t> slot = find_text_slot(*this, wanted_slot(key, secret), key);
    return slot && table[*slot] != 0;
}

void TextLookup::prefetch(std::string_view key) const
{
    if (slot_count != 0)
        fkd::prefetch(&table[static_cast<std::size_t>(text_hash(key, secret) >> shift)]);
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
    return table_.capacity() * sizeof(std::uint64_t) + entries_.capacity() * sizeof(TextEntry) +
           arena_.capacity();
}

bool TextKeySet::room_for(std::size_t fixed_bytes, std::size_t growing_bytes) const
{
    return fixed_bytes <= max_bytes_ && growing_bytes <= max_bytes_ - fixed_bytes;
}

bool TextKeySet::rehash(std::size_t count)
{
    std::size_t slots = kMinimumSlots;
    while (slots / 2 < count && slots <= max_bytes_ / sizeof(std::uint64_t))
        slots *= 2;
    std::size_t others = entries_.capacity() * sizeof(TextEntry) + arena_.capacity();
    if (slots > max_bytes_ / sizeof(std::uint64_t) || !room_for(others, slots * sizeof(std::uint64_t)))
        return false;
    std::pmr::vector<std::uint64_t> grown(slots, 0, table_.get_allocator());
    int shift = shift_for(slots);
    for (std::size_t n = 0; n < table_.size(); ++n) {
        if (check_interrupts_ && (n + 1) % kKeysPerInterruptCheck == 0)
            check_interrupts_();
        std::uint64_t held = table_[n];
        if (held == 0)
            continue;
        std::uint64_t hash = last_byte(held) == kReference ? entries_[number_in(held)].hash
                                                           : mix(held, secret_.mask, secret_.multiplier);
        std::size_t at = static_cast<std::size_t>(hash >> shift), probes = 1;
        while (grown[at] != 0 && probes++ <= kMaxProbes)
            at = (at + 1) & (slots - 1);
        if (grown[at] != 0)
            return false;
        grown[at] = held;
    }
    table_.swap(grown);
    shift_ = shift;
    return true;
}

bool TextKeySet::reserve(std::size_t count)
{
    return 2 * count <= table_.size() || rehash(count);
}

void TextKeySet::fit()
{
    // A table at most half full after the last insert is at least an
    // eighth full once it fits.
    if (table_.size() > kMinimumSlots && table_.size() / 8 > size_)
        rehash(size_);
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
    WantedSlot wanted = wanted_slot(key, secret_);
    std::optional<std::size_t> slot;
    if (!table_.empty()) {
        slot = find_text_slot(lookup(), wanted, key);
        if (slot && table_[*slot] != 0)
            return Insert::Present;
    }
    if (2 * (size_ + 1) > table_.size()) {
        if (!rehash(size_ + 1))
            return Insert::Full;
        slot = find_text_slot(lookup(), wanted, key);
    }
    if (!slot)
        return Insert::Full;
    if (held_in_slot(key)) {
        table_[*slot] = wanted.slot;
    } else {
        if (entries_.size() >= std::numeric_limits<std::uint32_t>::max() ||
            !room_for_one_more(entries_,
                               table_.capacity() * sizeof(std::uint64_t) + arena_.capacity(),
                               max_bytes_))
            return Insert::Full;
        std::optional<std::size_t> start = append_to_arena(key);
        if (!start)
            return Insert::Full;
        entries_.push_back({wanted.hash, *start});
        table_[*slot] = reference_slot(static_cast<std::uint32_t>(entries_.size() - 1), wanted.hash);
    }
    ++size_;
    return Insert::Added;
}

std::optional<std::size_t> TextKeySet::append_to_arena(std::string_view key)
{
    std::size_t needed = kWord + padded(key.size());
    std::size_t others = table_.capacity() * sizeof(std::uint64_t) +
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
    keys.reserve(size_);
    TextLookup table = lookup();
    for (std::size_t slot = 0; slot < table_.size(); ++slot)
        if (table_[slot] != 0)
            keys.push_back(*table.key_in(slot));
    return keys;
}

}  // namespace fkd
