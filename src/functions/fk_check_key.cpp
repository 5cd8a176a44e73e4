// fk_check_key(child regclass, child_columns name[], parent regclass,
// parent_columns name[], match_type text DEFAULT 'SIMPLE', max_rows bigint
// DEFAULT NULL): one row per child row that the foreign key would reject
// once added, in fk_orphans' columns (constraint_name NULL), judged as
// PostgreSQL would judge that key: the operators, casts and collations ADD
// FOREIGN KEY would choose, checked by the one orphan check, as the child's
// owner. No rows: ADD FOREIGN KEY would succeed.
#include <algorithm>
#include <cctype>

#include "core/errors.hpp"
#include "server/access_checks.hpp"
#include "server/orphan_check.hpp"
#include "server/proposed_key.hpp"
#include "server/result_set.hpp"
#include "server/spi_executor.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
}

namespace fkd {
namespace {

// A name[] argument, or nothing when it is NULL. A NULL element is an error.
std::optional<std::vector<std::string>> names_argument(FunctionCallInfo fcinfo, int n,
                                                       const char *what)
{
    if (PG_NARGS() <= n || PG_ARGISNULL(n))
        return std::nullopt;
    Datum value = PG_GETARG_DATUM(n);
    Datum *elements = nullptr;
    bool *nulls = nullptr;
    int count = 0;
    pg_call([&]() noexcept {
        ArrayType *array = DatumGetArrayTypeP(value);
        if (ARR_NDIM(array) > 1)
            elog(ERROR, "a one-dimensional array is required");
        deconstruct_array(array, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &elements, &nulls,
                          &count);
    });
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) {
        if (nulls[i])
            throw Error(kInvalidParameterValue, std::string(what) + " must not contain NULL");
        names.emplace_back(NameStr(*DatumGetName(elements[i])));
    }
    return names;
}

MatchType match_argument(FunctionCallInfo fcinfo, int n)
{
    std::string text = text_argument(fcinfo, n).value_or("SIMPLE");
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (text == "SIMPLE")
        return MatchType::Simple;
    if (text == "FULL")
        return MatchType::Full;
    if (text == "PARTIAL")
        throw Error("0A000", "MATCH PARTIAL not yet implemented");
    throw Error(kInvalidParameterValue, "unrecognized match type \"" + text + "\"", "",
                "Use SIMPLE or FULL.");
}

Datum fk_check_key_body(FunctionCallInfo fcinfo)
{
    std::optional<Oid> child = oid_argument(fcinfo, 0);
    std::optional<Oid> parent = oid_argument(fcinfo, 2);
    std::optional<std::vector<std::string>> child_columns =
        names_argument(fcinfo, 1, "child_columns");
    if (!child || !parent || !child_columns)
        throw Error(kInvalidParameterValue, "child, child_columns and parent must not be NULL");
    ProposedKey proposed{*child, *child_columns, *parent,
                         names_argument(fcinfo, 3, "parent_columns"), match_argument(fcinfo, 4)};
    std::optional<std::int64_t> max_rows = int64_argument(fcinfo, 5);
    if (max_rows && *max_rows < 1)
        throw Error(kInvalidParameterValue, "max_rows must be at least 1");

    RowSink sink = begin_result_set(fcinfo);
    require_select_privilege(*child);
    require_select_privilege(*parent);
    QuerySandbox sandbox;
    SpiConnection connection;
    KeyList keys;
    load_proposed_key(proposed, keys);
    const ForeignKey &key = keys.back();
    if (may_check(key, true))
        put_orphan_rows(key, max_rows, sink);
    return (Datum) 0;
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_check_key, fkd::fk_check_key_body)
