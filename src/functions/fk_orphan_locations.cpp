// fkdoctor_internal.fk_orphan_locations(key_sets bytea, most bigint,
// tableoid oid, ctid tid, VARIADIC "any"): the aggregate that finds where
// the orphan rows of the one key in key_sets are, in every process of a
// parallel scan of the child (fk_orphans, for a key whose parent's keys are
// in a hash set: server/key_check_in_memory.cpp). Unlike the filter
// fk_row_is_orphan, it needs no answer at once, so it holds its lookups back
// and makes them together (core/lookup_batch.hpp). Its result, like its
// state between processes, is core/orphan_locations.hpp's words: at most
// `most` locations, and whether there were more.
#include "core/orphan_locations.hpp"
#include "server/internal_calls.hpp"
#include "server/key_set_memory.hpp"
#include "server/key_sets_argument.hpp"

extern "C" {
#include "storage/itemptr.h"
#include "utils/builtins.h"
}

namespace fkd {
namespace {

constexpr int kFirstKeyColumn = 5;
constexpr const char *kNotLocations = "The state is not fkdoctor's orphan locations.";

struct LocationsState {
    static constexpr std::uint32_t kTag = 0x666B646C;  // "fkdl"
    std::uint32_t tag = kTag;
    KeySetMemory memory;
    KeySetsInUse key_sets{&memory};  // none in a state made by combining
    HeldKeys<OrphanLocation> held;
    std::optional<OrphanLocations> found;

    template <typename Key, typename Lookup>
    void look_up(const Key &value, const OrphanLocation &location, const Lookup &lookup)
    {
        if (!lookup.contains(value))
            found->add(location);
    }

    void answer_all_held()
    {
        if (key_sets.sets.empty())
            return;
        held.drain(key_sets.sets[0], [this](const auto &value, const OrphanLocation &location,
                                           const auto &lookup) {
            look_up(value, location, lookup);
        });
    }

    static LocationsState *like(MemoryContext context, const LocationsState &other)
    {
        auto *state = make_in<LocationsState>(context);
        state->found.emplace(other.found->most(), &state->memory);
        return state;
    }
    bool merge(const LocationsState &other) { return found->merge(*other.found); }
};

LocationsState *locations_argument(FunctionCallInfo fcinfo, int n)
{
    return state_argument<LocationsState>(fcinfo, n, kNotLocations);
}

LocationsState *first_state(FunctionCallInfo fcinfo, MemoryContext context)
{
    require_stable_aggregate_argument(fcinfo, 0,
                                      "The key sets must be a constant or a query parameter.");
    require_stable_aggregate_argument(fcinfo, 1, "The limit must be a constant.");
    if (PG_ARGISNULL(2) || PG_GETARG_INT64(2) < 0)
        refuse_internal_call("The limit is NULL or negative.");
    auto *state = make_in<LocationsState>(context);
    read_key_sets(fcinfo, 1, kFirstKeyColumn, context, state->key_sets);
    if (state->key_sets.sets.size() != 1)
        refuse_internal_call("fk_orphan_locations looks for the orphans of one key.");
    state->found.emplace(static_cast<std::uint64_t>(PG_GETARG_INT64(2)), &state->memory);
    return state;
}

OrphanLocation location_argument(FunctionCallInfo fcinfo)
{
    if (PG_ARGISNULL(3) || PG_ARGISNULL(4))
        refuse_internal_call("The row's table or ctid is NULL.");
    auto *ctid = reinterpret_cast<ItemPointer>(PG_GETARG_POINTER(4));
    return {PG_GETARG_OID(3),
            {ItemPointerGetBlockNumberNoCheck(ctid), ItemPointerGetOffsetNumberNoCheck(ctid)}};
}

Datum locations_step(FunctionCallInfo fcinfo)
{
    LocationsState *state = locations_argument(fcinfo, 0);
    if (!state)
        state = first_state(fcinfo, aggregate_context(fcinfo));
    OrphanLocation location = location_argument(fcinfo);
    check_keys(state->key_sets, ArgumentRow{fcinfo->args + kFirstKeyColumn},
               [state, &location](std::size_t, const auto &lookup, const auto &value) {
                   use_soon(state->held.of(value), lookup, value, location,
                            [state, &lookup](const auto &held, const OrphanLocation &at) {
                                state->look_up(held, at, lookup);
                            });
               });
    PG_RETURN_POINTER(state);
}

Datum locations_combine(FunctionCallInfo fcinfo)
{
    return combine_scan_states<LocationsState>(
        fcinfo, kNotLocations, "The orphan locations were found with different limits.");
}

bytea *locations_bytes(LocationsState &state)
{
    state.answer_all_held();
    return words_bytea(*state.found);
}

Datum locations_serialize(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    PG_RETURN_BYTEA_P(locations_bytes(*locations_argument(fcinfo, 0)));
}

Datum locations_deserialize(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    std::size_t size = 0;
    const void *data = aligned_bytes(PG_GETARG_DATUM(0), 0, CurrentMemoryContext, size);
    auto *state = make_in<LocationsState>(CurrentMemoryContext);
    if (data)
        state->found = OrphanLocations::deserialize(data, size, &state->memory);
    if (!state->found)
        refuse_internal_call("The bytes are not fkdoctor's orphan locations.");
    PG_RETURN_POINTER(state);
}

// NULL when there was no row.
Datum locations_result(FunctionCallInfo fcinfo)
{
    aggregate_context(fcinfo);
    LocationsState *state = locations_argument(fcinfo, 0);
    if (!state)
        PG_RETURN_NULL();
    PG_RETURN_BYTEA_P(locations_bytes(*state));
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_orphan_locations_step, fkd::locations_step)
FKD_SQL_FUNCTION(fk_orphan_locations_combine, fkd::locations_combine)
FKD_SQL_FUNCTION(fk_orphan_locations_serialize, fkd::locations_serialize)
FKD_SQL_FUNCTION(fk_orphan_locations_deserialize, fkd::locations_deserialize)
FKD_SQL_FUNCTION(fk_orphan_locations_result, fkd::locations_result)
