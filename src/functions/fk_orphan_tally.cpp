// The functions a parallel check of keys in memory runs in every process of
// the scan, the leader's and each parallel worker's
// (server/parallel_key_check.hpp): the aggregate
// fkdoctor_internal.fk_orphan_tally(key_sets bytea, VARIADIC "any"), which
// counts a child's rows, orphans and distinct missing keys, and
// fkdoctor_internal.fk_row_is_orphan(key_sets bytea, VARIADIC "any"), which
// says whether a row is an orphan of the one key in key_sets. key_sets
// holds the parents' keys, the other arguments the child's key columns in
// their order (server/key_sets_argument.hpp says what is refused).
#include "core/errors.hpp"
#include "core/table_tally.hpp"
#include "server/internal_calls.hpp"
#include "server/key_set_memory.hpp"
#include "server/key_sets_argument.hpp"
#include "server/parallel_key_check.hpp"

extern "C" {
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace fkd {
namespace {

constexpr const char *kNotATally = "The state is not an fkdoctor tally.";

// The aggregate's state, in the aggregate's memory context.
struct TallyState {
    static constexpr std::uint32_t kTag = 0x666B6474;  // "fkdt"
    std::uint32_t tag = kTag;
    KeySetMemory memory;
    KeySetsInUse key_sets{&memory};  // none in a state made by combining
    std::pmr::vector<HeldKeys<>> held{&memory};  // one for each key set
    std::optional<TableTally> tally;

    // What a row's key, or one held back, comes to: counted if an orphan.
    template <typename Key, typename Lookup>
    void look_up(std::size_t key, const Key &value, const Lookup &lookup)
    {
        if (!lookup.contains(value))
            tally->add_orphan(key, value);
    }

    // Answers the lookups held back: before the tally is read or sent.
    void answer_all_held()
    {
        for (std::size_t key = 0; key < held.size(); ++key)
            held[key].drain(key_sets.sets[key],
                            [this, key](const auto &value, NoPayload, const auto &lookup) {
                                look_up(key, value, lookup);
                            });
    }

    static TallyState *like(MemoryContext context, const TallyState &other)
    {
        auto *state = make_in<TallyState>(context);
        state->tally.emplace(other.tally->shapes(), new_seed(), &state->memory);
        return state;
    }
    bool merge(const TallyState &other) { return tally->merge(*other.tally); }
};

TallyState *tally_argument(FunctionCallInfo fcinfo, int n)
{
    return state_argument<TallyState>(fcinfo, n, kNotATally);
}

// The first row's call reads the key sets; each call counts its row.
TallyState *first_state(FunctionCallInfo fcinfo, MemoryContext context)
{
    require_stable_aggregate_argument(fcinfo, 0,
                                      "The key sets must be a constant or a query parameter.");
    auto *state = make_in<TallyState>(context);
    read_key_sets(fcinfo, 1, 2, context, state->key_sets);
    state->held.resize(state->key_sets.sets.size());
    state->tally.emplace(shapes_of(state->key_sets.sets, &state->memory), new_seed(),
                         &state->memory);
    return state;
}

Datum tally_step(FunctionCallInfo fcinfo)
{
    TallyState *state = tally_argument(fcinfo, 0);
    if (!state)
        state = first_state(fcinfo, aggregate_context(fcinfo));
    ArgumentRow row{fcinfo->args + 2};
    state->tally->count_row();
    check_keys(state->key_sets, row,
               [state](std::size_t key, const auto &lookup, const auto &value) {
                   use_soon(state->held[key].of(value), lookup, value, NoPayload{},
                            [state, key, &lookup](const auto &held, NoPayload) {
                                state->look_up(key, held, lookup);
                            });
               });
    PG_RETURN_POINTER(state);
}

Datum tally_combine(FunctionCallInfo fcinfo)
{
    return combine_scan_states<TallyState>(fcinfo, kNotATally, "The tallies are of different keys.");
}

Datum tally_serialize(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    TallyState *state = tally_argument(fcinfo, 0);
    state->answer_all_held();
    PG_RETURN_BYTEA_P(words_bytea(*state->tally));
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
    TallyState *state = tally_argument(fcinfo, 0);
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
        read_key_sets(fcinfo, 0, 1, flinfo->fn_mcxt, check->key_sets);
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
