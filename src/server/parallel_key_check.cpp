#include "server/parallel_key_check.hpp"
#include "server/internal_calls.hpp"
#include "server/key_set_memory.hpp"
#include "server/varlena.hpp"

#include <cstring>
#include <limits>

extern "C" {
#include "access/parallel.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type_d.h"
#include "commands/extension.h"
#include "storage/dsm.h"
#include "utils/memutils.h"
}

namespace fkd {

namespace {

constexpr const char *kInternalSchema = "fkdoctor_internal";

}  // namespace

// The schema must be the extension's own: only then is it sure that no one
// else could have created a function there.
std::optional<std::string> internal_schema()
{
    bool ours = pg_call([]() noexcept {
        Oid schema = get_namespace_oid(kInternalSchema, true);
        Oid extension = get_extension_oid("fkdoctor", true);
        return OidIsValid(schema) && OidIsValid(extension) &&
               getExtensionOfObject(NamespaceRelationId, schema) == extension;
    });
    if (!ours)
        return std::nullopt;
    return std::string(kInternalSchema);
}

namespace {

// What a segment of shared sets starts with, the sets after it; a
// reference to one repeats it, with the segment's handle.
struct SharedSetsHeader {
    static constexpr std::uint64_t kMagic = 0x6572616873646B66ULL;  // "fkdshare"
    std::uint64_t magic;
    HashSeed token;  // 128 random bits, drawn as a hash set's seed is
    std::uint64_t size;  // of the sets
};

// Compared as bytes: no padding.
static_assert(sizeof(SharedSetsHeader) == 4 * sizeof(std::uint64_t));

struct SharedSetsReference {
    SharedSetsHeader header;
    std::uint64_t handle;
};

// Whether the segment starts with the header, and holds the sets it says.
bool holds(dsm_segment *segment, const SharedSetsHeader &expected)
{
    return dsm_segment_map_length(segment) >= sizeof expected + expected.size &&
           std::memcmp(dsm_segment_address(segment), &expected, sizeof expected) == 0;
}

void *new_parameter(std::size_t size)
{
    if (size > MaxAllocSize - VARHDRSZ - kKeySetsPadding)
        return nullptr;
    void *bytes = pg_call([size]() noexcept {
        return MemoryContextAllocExtended(CurrentMemoryContext, VARHDRSZ + kKeySetsPadding + size,
                                          MCXT_ALLOC_NO_OOM);
    });
    if (!bytes)
        throw std::bad_alloc();
    SET_VARSIZE(bytes, VARHDRSZ + kKeySetsPadding + size);
    std::memset(VARDATA(bytes), 0, kKeySetsPadding);
    return bytes;
}

char *parameter_data(void *bytes) { return VARDATA(bytes) + kKeySetsPadding; }

// The sets a reference names, if it is one and its segment is the one it
// names; refuses a reference to anything else. The leader has the segment
// mapped already; a parallel worker maps it until it exits, at the end of
// the scan (its transaction would warn of a mapping left to it). No other
// backend may read it.
const void *shared_sets(const void *data, std::size_t size, std::size_t &sets_size)
{
    SharedSetsReference reference;
    if (size != sizeof reference)
        return nullptr;
    std::memcpy(&reference, data, sizeof reference);
    if (reference.header.magic != SharedSetsHeader::kMagic ||
        reference.handle > std::numeric_limits<dsm_handle>::max())
        return nullptr;
    const void *sets = pg_call([&reference]() noexcept -> const void * {
        auto handle = static_cast<dsm_handle>(reference.handle);
        dsm_segment *segment = dsm_find_mapping(handle);
        bool attached = !segment && IsParallelWorker();
        if (attached)
            segment = dsm_attach(handle);
        if (!segment)
            return nullptr;
        if (!holds(segment, reference.header)) {
            if (attached)
                dsm_detach(segment);
            return nullptr;
        }
        if (attached)
            dsm_pin_mapping(segment);
        return static_cast<const char *>(dsm_segment_address(segment)) + sizeof reference.header;
    });
    if (!sets)
        refuse_internal_call("The key sets are not fkdoctor's key sets.");
    sets_size = reference.header.size;
    return sets;
}

}  // namespace

KeySetsParameter::KeySetsParameter(const FlatKeySetWriter &sets)
{
    if (!share(sets))
        hold(sets);
}

bool KeySetsParameter::share(const FlatKeySetWriter &sets)
{
    SharedSetsReference reference{{SharedSetsHeader::kMagic, new_seed(), sets.bytes()}, 0};
    segment_ = pg_call([&reference]() noexcept {
        return dsm_create(sizeof reference.header + reference.header.size,
                          DSM_CREATE_NULL_IF_MAXSEGMENTS);
    });
    if (!segment_)
        return false;
    auto *start = static_cast<char *>(dsm_segment_address(segment_));
    std::memcpy(start, &reference.header, sizeof reference.header);
    sets.write(start + sizeof reference.header);
    reference.handle = dsm_segment_handle(segment_);
    bytes_ = new_parameter(sizeof reference);
    std::memcpy(parameter_data(bytes_), &reference, sizeof reference);
    return true;
}

void KeySetsParameter::hold(const FlatKeySetWriter &sets)
{
    bytes_ = new_parameter(sets.bytes());
    if (bytes_)
        sets.write(parameter_data(bytes_));
}

KeySetsParameter::~KeySetsParameter()
{
    if (bytes_)
        pfree(bytes_);
    if (segment_)
        pg_call([this]() noexcept { dsm_detach(segment_); });
}

QueryParameters KeySetsParameter::parameters() const
{
    return {{BYTEAOID, PointerGetDatum(bytes_)}};
}

const void *key_sets_block(Datum parameter, MemoryContext context, std::size_t &size)
{
    const void *data = aligned_bytes(parameter, kKeySetsPadding, context, size);
    if (!data)
        return nullptr;
    if (const void *shared = shared_sets(data, size, size))
        return shared;
    return data;
}

}  // namespace fkd
