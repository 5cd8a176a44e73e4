#include "server/parallel_key_check.hpp"
#include "server/varlena.hpp"

#include <cstring>

extern "C" {
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type_d.h"
#include "commands/extension.h"
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

KeySetsParameter::KeySetsParameter(const FlatKeySetWriter &sets)
{
    std::size_t size = kKeySetsPadding + sets.bytes();
    if (size > MaxAllocSize - VARHDRSZ)
        return;
    bytes_ = pg_call([size]() noexcept {
        return MemoryContextAllocExtended(CurrentMemoryContext, VARHDRSZ + size,
                                          MCXT_ALLOC_NO_OOM);
    });
    if (!bytes_)
        throw std::bad_alloc();
    SET_VARSIZE(bytes_, VARHDRSZ + size);
    std::memset(VARDATA(bytes_), 0, kKeySetsPadding);
    sets.write(VARDATA(bytes_) + kKeySetsPadding);
}

KeySetsParameter::~KeySetsParameter()
{
    if (bytes_)
        pfree(bytes_);
}

QueryParameters KeySetsParameter::parameters() const
{
    return {{BYTEAOID, PointerGetDatum(bytes_)}};
}

}  // namespace fkd
