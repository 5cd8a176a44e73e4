// Reading a foreign key's columns out of a row as the key sets hold them
// (core/key_set.hpp, core/text_key_set.hpp): integers of any width as 64
// bits, a uuid or a pair of integers as 128, text as its bytes. Shared by the check in one backend
// (key_check_in_memory.cpp) and the parallel workers' functions
// (functions/fk_orphan_tally.cpp).
#pragma once

#include <cstddef>
#include <string_view>

#include "core/key_set.hpp"
#include "server/pg_guard.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
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

template <typename Key>
Key read_key(const KeyReader &reader, const Datum *row);
template <>
IntegerKey read_key<IntegerKey>(const KeyReader &reader, const Datum *row);
template <>
WideKey read_key<WideKey>(const KeyReader &reader, const Datum *row);

// True if one of the key's columns is NULL: then it references nothing.
bool has_null(const KeyReader &reader, const bool *nulls);

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
