// Reading a foreign key's columns out of a row as the key sets hold them
// (core/key_set.hpp, core/text_key_set.hpp): integers of any width as 64
// bits, a uuid or a pair of integers as 128, text as its bytes. Shared by the check in one backend
// (key_check_in_memory.cpp) and the parallel workers' functions
// (functions/fk_orphan_tally.cpp).
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "core/key_set.hpp"
#include "server/pg_guard.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/uuid.h"
}

namespace fkd {

// Text: text or varchar. Bpchar: character(n), whose trailing spaces do not
// count (bpchareq).
enum class KeyKind { Integer, Uuid, IntegerPair, Text, Bpchar };

inline bool is_integer_type(Oid type)
{
    return type == INT2OID || type == INT4OID || type == INT8OID;
}

inline bool is_text_type(Oid type) { return type == TEXTOID || type == VARCHAROID; }

// Where a key's columns are in a row, and their types.
struct KeyReader {
    KeyKind kind;
    std::size_t first;  // the key's first column
    std::size_t count;
    Oid types[2];
};

// A row as the readers see it: a query's values and nulls, or the
// arguments of a function call (fk_orphan_tally's).
struct QueryRow {
    const Datum *values;
    const bool *nulls;
    Datum value(std::size_t n) const { return values[n]; }
    bool is_null(std::size_t n) const { return nulls[n]; }
};
struct ArgumentRow {
    const NullableDatum *arguments;
    Datum value(std::size_t n) const { return arguments[n].value; }
    bool is_null(std::size_t n) const { return arguments[n].isnull; }
};

inline std::int64_t integer_value(Datum value, Oid type)
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

// The key's value: an integer key as 64 bits; a uuid, or two integers, as
// 128. (Inline: it runs for every row of a scan.)
template <typename Key, typename Row>
Key read_key(const KeyReader &reader, const Row &row)
{
    if constexpr (std::is_same_v<Key, IntegerKey>) {
        return integer_value(row.value(reader.first), reader.types[0]);
    } else {
        WideKey key;
        if (reader.kind == KeyKind::Uuid) {
            const pg_uuid_t *uuid = DatumGetUUIDP(row.value(reader.first));
            std::memcpy(&key.first, uuid->data, sizeof key.first);
            std::memcpy(&key.second, uuid->data + sizeof key.first, sizeof key.second);
        } else {
            key.first = static_cast<std::uint64_t>(
                integer_value(row.value(reader.first), reader.types[0]));
            key.second = static_cast<std::uint64_t>(
                integer_value(row.value(reader.first + 1), reader.types[1]));
        }
        return key;
    }
}

// True if one of the key's columns is NULL: then it references nothing.
template <typename Row>
bool has_null(const KeyReader &reader, const Row &row)
{
    for (std::size_t n = 0; n < reader.count; ++n)
        if (row.is_null(reader.first + n))
            return true;
    return false;
}

// A text key's bytes as its equality compares them: detoasted if it has to
// be (the copy is freed with the object), a bpchar without its trailing
// spaces.
class TextKeyBytes {
public:
    TextKeyBytes(Datum value, KeyKind kind);
    ~TextKeyBytes();
    TextKeyBytes(const TextKeyBytes &) = delete;
    TextKeyBytes &operator=(const TextKeyBytes &) = delete;

    std::string_view view() const { return view_; }

private:
    void *copy_ = nullptr;
    std::string_view view_;
};

}  // namespace fkd
