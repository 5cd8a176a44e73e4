#include "server/catalog_query.hpp"

#include "core/errors.hpp"
#include "server/pg_guard.hpp"
#include "server/spi_executor.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/builtins.h"
}

namespace fkd {

namespace {

// Outside CatalogRows, whose member text() hides PostgreSQL's type text.
const char *text_of(Datum datum) noexcept
{
    return TextDatumGetCString(datum);
}

Oid type_oid(FieldType type)
{
    switch (type) {
    case FieldType::Oid: return OIDOID;
    case FieldType::Name: return NAMEOID;
    case FieldType::Text: return TEXTOID;
    case FieldType::Bool: return BOOLOID;
    case FieldType::Char: return CHAROID;
    case FieldType::Int4: return INT4OID;
    }
    return InvalidOid;
}

[[noreturn]] void catalog_error(const std::string &message)
{
    throw Error(kInternalError, message);
}

}  // namespace

std::string select_list(const std::vector<const Field *> &fields)
{
    std::string list;
    for (const Field *field : fields)
        list += std::string(list.empty() ? "" : ",\n       ") + field->sql + " AS " + field->name;
    return list;
}

CatalogRows::CatalogRows(const std::string &sql, const std::vector<const Field *> &fields,
                         CatalogSnapshot snapshot)
    : exceptions_at_start_(std::uncaught_exceptions())
{
    const char *query = sql.c_str();
    bool read_only = snapshot == CatalogSnapshot::Callers;  // else SPI takes a new snapshot
    // Never in parallel: the catalogs are small, and starting workers would
    // cost more than any of these queries.
    with_settings({{"max_parallel_workers_per_gather", "0"}}, [&] {
        table_ = pg_call([query, read_only]() noexcept {
            int rc = SPI_execute(query, read_only, 0);
            if (rc != SPI_OK_SELECT)
                elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(rc));
            return SPI_tuptable;
        });
    });
    count_ = SPI_processed;
    for (const Field *field : fields) {
        const char *name = field->name;
        TupleDesc descriptor = table_->tupdesc;
        int column = pg_call([descriptor, name]() noexcept { return SPI_fnumber(descriptor, name); });
        if (column <= 0)
            catalog_error(std::string("catalog query has no column ") + name);
        if (TupleDescAttr(descriptor, column - 1)->atttypid != type_oid(field->type))
            catalog_error(std::string("catalog query column ") + name + " has an unexpected type");
        columns_[field] = column;
    }
}

CatalogRows::~CatalogRows()
{
    // On the error path the abort frees it with SPI's memory.
    if (std::uncaught_exceptions() > exceptions_at_start_)
        return;
    try {
        pg_call([table = table_]() noexcept { SPI_freetuptable(table); });
    } catch (...) {
    }
}

bool CatalogRows::is_null(std::size_t row, const Field &field) const
{
    bool null = false;
    HeapTuple tuple = table_->vals[row];
    TupleDesc descriptor = table_->tupdesc;
    int column = columns_.at(&field);
    pg_call([&]() noexcept { (void) SPI_getbinval(tuple, descriptor, column, &null); });
    return null;
}

Datum CatalogRows::value(std::size_t row, const Field &field, FieldType type) const
{
    if (field.type != type && !(type == FieldType::Name && field.type == FieldType::Text))
        catalog_error(std::string("catalog column ") + field.name + " read as another type");
    if (is_null(row, field))
        catalog_error(std::string("unexpected NULL in catalog column ") + field.name);
    bool null = false;
    HeapTuple tuple = table_->vals[row];
    TupleDesc descriptor = table_->tupdesc;
    int column = columns_.at(&field);
    return pg_call([&]() noexcept { return SPI_getbinval(tuple, descriptor, column, &null); });
}

Oid CatalogRows::oid(std::size_t row, const Field &field) const
{
    return DatumGetObjectId(value(row, field, FieldType::Oid));
}

std::string CatalogRows::text(std::size_t row, const Field &field) const
{
    Datum datum = value(row, field, FieldType::Name);
    if (field.type == FieldType::Name)
        return NameStr(*DatumGetName(datum));
    return pg_call([datum]() noexcept {
        return text_of(datum);
    });
}

bool CatalogRows::flag(std::size_t row, const Field &field) const
{
    return DatumGetBool(value(row, field, FieldType::Bool));
}

char CatalogRows::code(std::size_t row, const Field &field) const
{
    return DatumGetChar(value(row, field, FieldType::Char));
}

int CatalogRows::int4(std::size_t row, const Field &field) const
{
    return DatumGetInt32(value(row, field, FieldType::Int4));
}

std::optional<Oid> CatalogRows::optional_oid(std::size_t row, const Field &field) const
{
    if (is_null(row, field))
        return std::nullopt;
    return oid(row, field);
}

std::optional<std::string> CatalogRows::optional_text(std::size_t row, const Field &field) const
{
    if (is_null(row, field))
        return std::nullopt;
    return text(row, field);
}

}  // namespace fkd
