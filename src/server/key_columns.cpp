#include "server/key_columns.hpp"

#include <cstring>

extern "C" {
#include "utils/uuid.h"
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

}  // namespace fkd
