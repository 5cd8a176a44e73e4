#include "server/key_sets_argument.hpp"

#include "server/internal_calls.hpp"
#include "server/parallel_key_check.hpp"
#include "server/varlena.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "nodes/primnodes.h"
}

namespace fkd {

bool is_stable_argument(const Node *expression)
{
    return expression && (IsA(expression, Const) ||
                          (IsA(expression, Param) &&
                           reinterpret_cast<const Param *>(expression)->paramkind == PARAM_EXTERN));
}

void require_stable_aggregate_argument(FunctionCallInfo fcinfo, int n, const char *detail)
{
    const Aggref *aggref = AggGetAggref(fcinfo);
    if (!aggref || list_length(aggref->args) <= n ||
        !is_stable_argument(
            reinterpret_cast<Node *>(list_nth_node(TargetEntry, aggref->args, n)->expr)))
        refuse_internal_call(detail);
}

namespace {

// Each key's columns, from the types of the arguments as called: one
// integer, a uuid, two integers, or one text, as its set was made for.
KeyReader reader_at(const FlatKeySet &set, FmgrInfo *flinfo, int column, int arguments,
                    int first_column)
{
    Oid type = column < arguments ? get_fn_expr_argtype(flinfo, column) : InvalidOid;
    Oid next = column + 1 < arguments ? get_fn_expr_argtype(flinfo, column + 1) : InvalidOid;
    KeyReader reader{KeyKind::Integer, static_cast<std::size_t>(column - first_column), 1,
                     {type, InvalidOid}};
    switch (set.kind) {
    case FlatSetKind::IntegerBitmap:
    case FlatSetKind::IntegerHash:
        if (is_integer_type(type))
            return reader;
        break;
    case FlatSetKind::WideHash:
        if (type == UUIDOID) {
            reader.kind = KeyKind::Uuid;
            return reader;
        }
        if (is_integer_type(type) && is_integer_type(next))
            return {KeyKind::IntegerPair, reader.first, 2, {type, next}};
        break;
    case FlatSetKind::TextHash:
        if (is_text_type(type) || type == BPCHAROID) {
            reader.kind = type == BPCHAROID ? KeyKind::Bpchar : KeyKind::Text;
            return reader;
        }
        break;
    }
    refuse_internal_call("The key columns are not of the types the key sets were made for.");
}

std::pmr::vector<KeyReader> readers_for(const FlatKeySets &sets, FmgrInfo *flinfo,
                                        int first_column, int arguments, KeyMemory *memory)
{
    std::pmr::vector<KeyReader> readers(memory);
    int column = first_column;
    for (const FlatKeySet &set : sets) {
        readers.push_back(reader_at(set, flinfo, column, arguments, first_column));
        column += static_cast<int>(readers.back().count);
    }
    if (column != arguments)
        refuse_internal_call("There are more key columns than the key sets are for.");
    return readers;
}

}  // namespace

void read_key_sets(FunctionCallInfo fcinfo, int sets_argument, int first_column,
                   MemoryContext context, KeySetsInUse &in_use)
{
    if (PG_ARGISNULL(sets_argument))
        refuse_internal_call("The key sets are NULL.");
    std::size_t size = 0;
    const void *data = key_sets_block(PG_GETARG_DATUM(sets_argument), context, size);
    KeyMemory *memory = in_use.sets.get_allocator().resource();
    std::optional<FlatKeySets> sets;
    if (data)
        sets = read_flat_key_sets(data, size, memory);
    if (!sets)
        refuse_internal_call("The key sets are not fkdoctor's key sets.");
    in_use.sets = std::move(*sets);
    in_use.readers = readers_for(in_use.sets, fcinfo->flinfo, first_column, PG_NARGS(), memory);
}

}  // namespace fkd
