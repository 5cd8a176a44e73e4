// fk_constraints(rel regclass DEFAULT NULL): one row per foreign key, from
// the catalogs alone.
#include <vector>

#include "server/key_function_call.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace fkd {
namespace {

enum Column {
    kConstraintName, kChildTable, kChildColumns, kParentTable, kParentColumns,
    kMatchType, kOnUpdate, kOnDelete, kValidated, kDeferrable, kEnforcement,
    kChildIndex, kPeriodColumn, kColumnCount
};

Datum name_array(const std::vector<const char *> &names)
{
    std::vector<Datum> elements;
    for (const char *name : names)
        elements.push_back(name_datum(name));
    Datum *data = elements.data();
    int count = static_cast<int>(elements.size());
    return pg_call([data, count]() noexcept {
        return PointerGetDatum(construct_array(data, count, NAMEOID, NAMEDATALEN, false,
                                               TYPALIGN_CHAR));
    });
}

std::vector<const char *> column_names(const ForeignKey &key, bool child_side)
{
    std::vector<const char *> names;
    for (const auto &column : key.columns)
        names.push_back(child_side ? column.child_column.c_str() : column.parent_column.c_str());
    return names;
}

void put_key(const RowSink &sink, const ForeignKey &key)
{
    Datum values[kColumnCount];
    bool nulls[kColumnCount] = {};
    values[kConstraintName] = name_datum(key.name.c_str());
    values[kChildTable] = ObjectIdGetDatum(key.child.oid);
    values[kChildColumns] = name_array(column_names(key, true));
    values[kParentTable] = ObjectIdGetDatum(key.parent.oid);
    values[kParentColumns] = name_array(column_names(key, false));
    values[kMatchType] = text_datum(match_type_sql(key.match));
    values[kOnUpdate] = text_datum(action_sql(key.on_update));
    values[kOnDelete] = text_datum(action_sql(key.on_delete));
    values[kValidated] = BoolGetDatum(key.validated);
    values[kDeferrable] = BoolGetDatum(key.deferrable);
    values[kEnforcement] = text_datum(enforcement_text(key.enforcement));
    values[kChildIndex] = ObjectIdGetDatum(key.child_index);
    nulls[kChildIndex] = key.child_index == 0;
    // A temporal key's PERIOD column on the child; NULL for any other key.
    values[kPeriodColumn] = key.temporal ? name_datum(period_column(key).child_column.c_str()) : 0;
    nulls[kPeriodColumn] = !key.temporal;
    put_row(sink, values, nulls);
}

Datum fk_constraints_body(FunctionCallInfo fcinfo)
{
    KeyFunctionCall call(fcinfo, oid_argument(fcinfo, 0), KeyUse::ReadCatalogs);
    for (const ForeignKey &key : call.keys)
        put_key(call.sink, key);
    return (Datum) 0;
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_constraints, fkd::fk_constraints_body)
