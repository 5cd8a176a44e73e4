// Catalog queries read by column name and binary value. A query's columns
// are declared once, as fields (name, SQL, type): the same table writes the
// select list and reads the result, and the result's column types are
// checked against it before any value is read.
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/catalog_model.hpp"
#include "server/pg_guard.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace fkd {

enum class FieldType { Oid, Name, Text, Bool, Char, Int4 };

struct Field {
    const char *name;
    const char *sql;
    FieldType type;
};

// "sql AS name, ..." for the fields.
std::string select_list(const std::vector<const Field *> &fields);

// Which snapshot a catalog query reads under.
enum class CatalogSnapshot {
    Callers,  // the caller's, as every data query of the call
    New,      // taken now: for definitions read after their tables were locked
};

// The rows of a catalog query, freed with the object.
class CatalogRows {
public:
    CatalogRows(const std::string &sql, const std::vector<const Field *> &fields,
                CatalogSnapshot snapshot = CatalogSnapshot::Callers);
    ~CatalogRows();
    CatalogRows(const CatalogRows &) = delete;
    CatalogRows &operator=(const CatalogRows &) = delete;

    std::size_t size() const { return count_; }

    bool is_null(std::size_t row, const Field &field) const;
    // Each of these: an error for a NULL value.
    Oid oid(std::size_t row, const Field &field) const;
    std::string text(std::size_t row, const Field &field) const;  // a name or a text
    bool flag(std::size_t row, const Field &field) const;
    char code(std::size_t row, const Field &field) const;
    int int4(std::size_t row, const Field &field) const;
    // NULL as nothing.
    std::optional<Oid> optional_oid(std::size_t row, const Field &field) const;
    std::optional<std::string> optional_text(std::size_t row, const Field &field) const;

private:
    Datum value(std::size_t row, const Field &field, FieldType type) const;

    SPITupleTable *table_ = nullptr;
    int exceptions_at_start_;
    std::size_t count_ = 0;
    std::unordered_map<const Field *, int> columns_;  // field to attribute number
};

}  // namespace fkd
