// The functions a parallel check of keys in memory runs in every process of
// the scan, the leader's and each parallel worker's
// (server/parallel_key_check.hpp): the aggregate
// fkdoctor_internal.fk_orphan_tally(key_sets bytea, VARIADIC "any"), which
// counts a child's rows, orphans and distinct missing keys, and
// fkdoctor_internal.fk_row_is_orphan(key_sets bytea, VARIADIC "any"), which
// says whether a row is an orphan of the one key in key_sets. key_sets
// holds the parents' keys (core/flat_key_sets.hpp), the other arguments the
// child's key columns in their order.
//
// Anyone may call them, with any bytes: the sets are read only once checked
// (flat_key_sets.hpp), the columns only once their types are known to be
// what the sets were made for, and key_sets must be the same value for every
// row (a constant or a query parameter), since it is read once per scan.
#include "core/errors.hpp"
#include "core/flat_key_sets.hpp"
#include "core/lookup_batch.hpp"
#include "core/table_tally.hpp"
#include "server/internal_calls.hpp"
#include "server/key_columns.hpp"
#include "server/key_set_memory.hpp"
#include "server/parallel_key_check.hpp"
#include "server/varlena.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace fkd {
namespace {

// Whether an argument's expression has one value for the whole query.
bool is_stable_argument(const Node *expression)
{
    return expression && (IsA(expression, Const) ||
                          (IsA(expression, Param) &&
                           reinterpret_cast<const Param *>(expression)->paramkind == PARAM_EXTERN));
}

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

// The key sets, read from the argument at sets_argument, and how to read
// each key's columns from the arguments after it; all in memory that lives
// as long as the scan.
struct KeySetsInUse {
    explicit KeySetsInUse(KeyMemory *memory) : sets(memory), readers(memory) {}
    FlatKeySets sets;
    std::pmr::vector<KeyReader> readers;
};

void read_key_sets(FunctionCallInfo fcinfo, int sets_argument, MemoryContext context,
                   KeySetsInUse &in_use)
{
    if (PG_ARGISNULL(sets_argument))
        refuse_internal_call("The key sets are NULL.");
    std::size_t size = 0;
    const void *data =
        aligned_bytes(PG_GETARG_DATUM(sets_argument), kKeySetsPadding, context, size);
    KeyMemory *memory = in_use.sets.get_allocator().resource();
    std::optional<FlatKeySets> sets;
    if (data)
        sets = read_flat_key_sets(data, size, memory);
    if (!sets)
        refuse_internal_call("The key sets are not fkdoctor's key sets.");
    in_use.sets = std::move(*sets);
    in_use.readers = readers_for(in_use.sets, fcinfo->flinfo, sets_argument + 1, PG_NARGS(),
                                 memory);
}

// Calls check(key, lookup, value) for each key whose columns are all set:
// lookup is its parent's set, value the row's key as the set holds it.
// row: the key columns, the arguments after the key sets.
template <typename Check>
void check_keys(const KeySetsInUse &in_use, const ArgumentRow &row, Check &&check)
{
    for (std::size_t key = 0; key < in_use.sets.size(); ++key) {
        const KeyReader &reader = in_use.readers[key];
        if (has_null(reader, row))
            continue;
        const FlatKeySet &set = in_use.sets[key];
        if (reader.kind == KeyKind::Text || reader.kind == KeyKind::Bpchar) {
            TextKeyBytes bytes(row.value(reader.first), reader.kind);
            check(key, set.text, bytes.view());
        } else if (reader.kind == KeyKind::Integer) {
            check(key, set.integer, read_key<IntegerKey>(reader, row));
        } else {
            check(key, set.wide, read_key<WideKey>(reader, row));
        }
    }
}

// One key's lookups held back (core/lookup_batch.hpp), in the batch of its
// set's kind.
struct HeldKeys {
    LookupBatch<IntegerKey> integer;
    LookupBatch<WideKey> wide;
    LookupBatch<std::string_view> text;

    LookupBatch<IntegerKey> &of(IntegerKey) { return integer; }
    LookupBatch<WideKey> &of(const WideKey &) { return wide; }
    LookupBatch<std::string_view> &of(std::string_view) { return text; }
};

constexpr std::uint32_t kStateTag = 0x666B6474;  // "fkdt"

// The aggregate's state, in the aggregate's memory context.
struct TallyState {
    std::uint32_t tag = kStateTag;
    KeySetMemory memory;
    KeySetsInUse key_sets{&memory};  // none in a state made by combining
    std::pmr::vector<HeldKeys> held{&memory};  // one for each key set
    std::optional<TableTally> tally;

    // What a row's key, or one held back, comes to: counted if an orphan.
    template <typename Lookup>
    auto look_up_in(std::size_t key, const Lookup &lookup)
    {
        return [this, key, &lookup](const auto &value) {
            if (!lookup.contains(value))
                tally->add_orphan(key, value);
        };
    }

    // Answers the lookups held back: before the tally is read or sent.
    void answer_all_held()
    {
        for (std::size_t key = 0; key < held.size(); ++key) {
            const FlatKeySet &set = key_sets.sets[key];
            held[key].integer.drain(look_up_in(key, set.integer));
            held[key].wide.drain(look_up_in(key, set.wide));
            held[key].text.drain(look_up_in(key, set.text));
        }
    }
};

TallyState *state_argument(FunctionCallInfo fcinfo, int n)
{
    if (PG_ARGISNULL(n))
        return nullptr;
    auto *state = reinterpret_cast<TallyState *>(PG_GETARG_POINTER(n));
    if (state->tag != kStateTag)
        refuse_internal_call("The state is not an fkdoctor tally.");
    return state;
}

// The first row's call reads the key sets; each call counts its row.
TallyState *first_state(FunctionCallInfo fcinfo, MemoryContext context)
{
    const Aggref *aggref = AggGetAggref(fcinfo);
    if (!aggref || list_length(aggref->args) < 1 ||
        !is_stable_argument(
            reinterpret_cast<Node *>(linitial_node(TargetEntry, aggref->args)->expr)))
        refuse_internal_call("The key sets must be a constant or a query parameter.");
    auto *state = make_in<TallyState>(context);
    read_key_sets(fcinfo, 1, context, state->key_sets);
    state->held.resize(state->key_sets.sets.size());
    state->tally.emplace(shapes_of(state->key_sets.sets, &state->memory), new_seed(),
                         &state->memory);
    return state;
}

Datum tally_step(FunctionCallInfo fcinfo)
{
    TallyState *state = state_argument(fcinfo, 0);
    if (!state)
        state = first_state(fcinfo, aggregate_context(fcinfo));
    ArgumentRow row{fcinfo->args + 2};
    state->tally->count_row();
    check_keys(state->key_sets, row,
               [state](std::size_t key, const auto &lookup, const auto &value) {
                   use_soon(state->held[key].of(value), lookup, value,
                            state->look_up_in(key, lookup));
               });
    PG_RETURN_POINTER(state);
}

Datum tally_combine(FunctionCallInfo fcinfo)
{
    MemoryContext context = aggregate_context(fcinfo);
    TallyState *mine = state_argument(fcinfo, 0);
    TallyState *theirs = state_argument(fcinfo, 1);
    if (!theirs)
        PG_RETURN_POINTER(mine);
    theirs->answer_all_held();
    if (mine)
        mine->answer_all_held();
    if (!mine) {
        mine = make_in<TallyState>(context);
        mine->tally.emplace(theirs->tally->shapes(), new_seed(), &mine->memory);
    }
    if (!mine->tally->merge(*theirs->tally))
        refuse_internal_call("The tallies are of different keys.");
    PG_RETURN_POINTER(mine);
}

Datum tally_serialize(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    TallyState *state = state_argument(fcinfo, 0);
    state->answer_all_held();
    const TableTally &tally = *state->tally;
    std::size_t size = tally.serialized_bytes();
    // VARDATA is 4 bytes into its block: written aligned, then copied there.
    std::pmr::vector<std::uint64_t> words(size / sizeof(std::uint64_t), default_key_memory());
    tally.serialize(words.data());
    PG_RETURN_BYTEA_P(new_bytea(words.data(), size));
}

// In the calling context (short-lived): tally_combine adds it to its own.
Datum tally_deserialize(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    std::size_t size = 0;
    const void *data = aligned_bytes(PG_GETARG_DATUM(0), 0, CurrentMemoryContext, size);
    auto *state = make_in<TallyState>(CurrentMemoryContext);
    if (data)
        state->tally = TableTally::deserialize(data, size, new_seed(), &state->memory);
    if (!state->tally)
        refuse_internal_call("The bytes are not an fkdoctor tally.");
    PG_RETURN_POINTER(state);
}

// rows, then each key's orphan rows and distinct missing keys (-1 where
// they did not fit); NULL when there was no row.
Datum tally_result(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    TallyState *state = state_argument(fcinfo, 0);
    if (!state)
        PG_RETURN_NULL();
    state->answer_all_held();
    std::vector<std::int64_t> result = state->tally->result();
    std::vector<Datum> datums(result.begin(), result.end());  // int8 is by value
    ArrayType *array = pg_call([&datums]() noexcept {
        return construct_array(datums.data(), static_cast<int>(datums.size()), INT8OID,
                               sizeof(int64), true, TYPALIGN_DOUBLE);
    });
    PG_RETURN_ARRAYTYPE_P(array);
}

// fk_row_is_orphan's key sets, read on its first call in each process.
struct RowCheck {
    KeySetMemory memory;
    KeySetsInUse key_sets{&memory};
};

Datum row_is_orphan(FunctionCallInfo fcinfo)
{
    FmgrInfo *flinfo = fcinfo->flinfo;
    auto *check = static_cast<RowCheck *>(flinfo->fn_extra);
    if (!check) {
        if (!get_fn_expr_arg_stable(flinfo, 0))
            refuse_internal_call("The key sets must be a constant or a query parameter.");
        check = make_in<RowCheck>(flinfo->fn_mcxt);
        read_key_sets(fcinfo, 0, flinfo->fn_mcxt, check->key_sets);
        if (check->key_sets.sets.size() != 1)
            refuse_internal_call("fk_row_is_orphan checks one key.");
        flinfo->fn_extra = check;
    }
    ArgumentRow row{fcinfo->args + 1};
    bool orphan = false;
    check_keys(check->key_sets, row, [&orphan](std::size_t, const auto &lookup, const auto &value) {
        orphan = orphan || !lookup.contains(value);
    });
    PG_RETURN_BOOL(orphan);
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_orphan_tally_step, fkd::tally_step)
FKD_SQL_FUNCTION(fk_orphan_tally_combine, fkd::tally_combine)
FKD_SQL_FUNCTION(fk_orphan_tally_serialize, fkd::tally_serialize)
FKD_SQL_FUNCTION(fk_orphan_tally_deserialize, fkd::tally_deserialize)
FKD_SQL_FUNCTION(fk_orphan_tally_result, fkd::tally_result)
FKD_SQL_FUNCTION(fk_row_is_orphan, fkd::row_is_orphan)
