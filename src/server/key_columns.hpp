// Reading a foreign key's columns out of a row as the key sets hold them
// (core/key_set.hpp): integers of any width as 64 bits, a uuid or a pair of
// integers as 128. Shared by the check in one backend
// (key_check_in_memory.cpp) and the parallel workers' functions
// (functions/fk_orphan_tally.cpp).
#pragma once

#include <cstddef>

#include "core/key_set.hpp"
#include "server/pg_guard.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
}

namespace fkd {

enum class KeyKind { Integer, Uuid, IntegerPair };

inline bool is_integer_type(Oid type)
{
    return type == INT2OID || type == INT4OID || type == INT8OID;
}

// Where a key's columns are in a row, and their types.
struct KeyReader {
    KeyKind kind;
    std::size_t first;  // the key's first column
    std::size_t count;
    Oid types[2];
};

template <typename Key>
Key read_key(const KeyReader &reader, const Datum *row);
template <>
IntegerKey read_key<IntegerKey>(const KeyReader &reader, const Datum *row);
template <>
WideKey read_key<WideKey>(const KeyReader &reader, const Datum *row);

// True if one of the key's columns is NULL: then it references nothing.
bool has_null(const KeyReader &reader, const bool *nulls);

}  // namespace fkd
