#include "server/key_columns.hpp"

#include <cstring>

extern "C" {
#include "access/detoast.h"
#include "utils/uuid.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif
}

namespace fkd {

namespace {

std::int64_t integer_value(Datum value, Oid type)
{
    switch (type) {
    case INT2OID:
        return DatumGetInt16(value);
    case INT4OID:
        return DatumGetInt32(value);
    default:
        return DatumGetInt64(value);
    }
}

}  // namespace

template <>
IntegerKey read_key<IntegerKey>(const KeyReader &reader, const Datum *row)
{
    return integer_value(row[reader.first], reader.types[0]);
}

template <>
WideKey read_key<WideKey>(const KeyReader &reader, const Datum *row)
{
    WideKey key;
    if (reader.kind == KeyKind::Uuid) {
        const pg_uuid_t *uuid = DatumGetUUIDP(row[reader.first]);
        std::memcpy(&key.first, uuid->data, sizeof key.first);
        std::memcpy(&key.second, uuid->data + sizeof key.first, sizeof key.second);
    } else {
        key.first = static_cast<std::uint64_t>(integer_value(row[reader.first], reader.types[0]));
        key.second =
            static_cast<std::uint64_t>(integer_value(row[reader.first + 1], reader.types[1]));
    }
    return key;
}

bool has_null(const KeyReader &reader, const bool *nulls)
{
    for (std::size_t n = 0; n < reader.count; ++n)
        if (nulls[reader.first + n])
            return true;
    return false;
}

TextKeyBytes::TextKeyBytes(Datum value, KeyKind kind)
{
    auto *text = reinterpret_cast<varlena *>(DatumGetPointer(value));
    if (VARATT_IS_EXTERNAL(text) || VARATT_IS_COMPRESSED(text)) {
        text = pg_call([text]() noexcept { return detoast_attr(text); });
        copy_ = text;
    }
    std::size_t length = VARSIZE_ANY_EXHDR(text);
    const char *bytes = VARDATA_ANY(text);
    if (kind == KeyKind::Bpchar)
        while (length > 0 && bytes[length - 1] == ' ')
            --length;
    view_ = std::string_view(bytes, length);
}

TextKeyBytes::~TextKeyBytes()
{
    if (copy_)
        pfree(copy_);
}

}  // namespace fkd
