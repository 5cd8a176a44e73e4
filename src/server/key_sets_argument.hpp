// The key sets argument of the functions a check's parallel scan runs in
// every process (functions/fk_orphan_tally.cpp, fk_orphan_locations.cpp):
// the parents' keys (core/flat_key_sets.hpp), read once per scan, and the
// child's key columns in the arguments after it, read as those sets hold
// keys. Anyone may call these functions, with any bytes: the sets are read
// only once checked, the columns only once their types are known to be what
// the sets were made for, and the sets must be the same value for every row
// (a constant or a query parameter).
#pragma once

#include <cstddef>
#include <string_view>

#include "core/flat_key_sets.hpp"
#include "core/lookup_batch.hpp"
#include "server/internal_calls.hpp"
#include "server/key_columns.hpp"

extern "C" {
#include "nodes/nodes.h"
}

namespace fkd {

// Whether an argument's expression has one value for the whole query.
bool is_stable_argument(const Node *expression);

// Refuses an aggregate call whose argument n (counted from 0, as the
// aggregate is declared) may change from row to row.
void require_stable_aggregate_argument(FunctionCallInfo fcinfo, int n, const char *detail);

// The key sets, read from the argument at sets_argument, and how to read
// each key's columns from the arguments after it; all in memory that lives
// as long as the scan.
struct KeySetsInUse {
    explicit KeySetsInUse(KeyMemory *memory) : sets(memory), readers(memory) {}
    FlatKeySets sets;
    std::pmr::vector<KeyReader> readers;
};

// Reads the sets from argument sets_argument, the key columns from
// first_column on; refuses what is not a call fkdoctor makes.
void read_key_sets(FunctionCallInfo fcinfo, int sets_argument, int first_column,
                   MemoryContext context, KeySetsInUse &in_use);

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
// set's kind, each with its payload.
template <typename Payload = NoPayload>
struct HeldKeys {
    LookupBatch<IntegerKey, Payload> integer;
    LookupBatch<WideKey, Payload> wide;
    LookupBatch<std::string_view, Payload> text;

    LookupBatch<IntegerKey, Payload> &of(IntegerKey) { return integer; }
    LookupBatch<WideKey, Payload> &of(const WideKey &) { return wide; }
    LookupBatch<std::string_view, Payload> &of(std::string_view) { return text; }

    // Drains every batch into use(key, payload, lookup), the lookup the
    // key's set's: at the end of a scan.
    template <typename Use>
    void drain(const FlatKeySet &set, Use &&use)
    {
        integer.drain([&](IntegerKey key, const Payload &payload) { use(key, payload, set.integer); });
        wide.drain([&](const WideKey &key, const Payload &payload) { use(key, payload, set.wide); });
        text.drain([&](std::string_view key, const Payload &payload) { use(key, payload, set.text); });
    }
};

// The combine step of the aggregates that scan with key sets: each state's
// held lookups answered, then theirs added to mine (a new one like theirs if
// there is none). State: its tag first (internal_calls.hpp), and
// answer_all_held(), merge(other) (false if they do not go together) and
// static like(context, other).
template <typename State>
Datum combine_scan_states(FunctionCallInfo fcinfo, const char *not_it, const char *mismatch)
{
    MemoryContext context = aggregate_context(fcinfo);
    State *mine = state_argument<State>(fcinfo, 0, not_it);
    State *theirs = state_argument<State>(fcinfo, 1, not_it);
    if (!theirs)
        PG_RETURN_POINTER(mine);
    theirs->answer_all_held();
    if (mine)
        mine->answer_all_held();
    else
        mine = State::like(context, *theirs);
    if (!mine->merge(*theirs))
        refuse_internal_call(mismatch);
    PG_RETURN_POINTER(mine);
}

}  // namespace fkd
