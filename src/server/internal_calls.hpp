// What the functions of fkdoctor_internal share (functions/fk_orphan_tally.cpp,
// functions/fk_key_bitmap.cpp): the functions a check's parallel scan runs in
// every process. Anyone may call them, with anything; these helpers refuse
// what is not a call fkdoctor makes, with the same error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <new>
#include <vector>

#include "server/pg_guard.hpp"

extern "C" {
#include "utils/memutils.h"
}

namespace fkd {

[[noreturn]] void refuse_internal_call(const char *detail);

// The aggregate's memory context; refused when called otherwise (as a
// window function, or not as an aggregate at all).
MemoryContext aggregate_context(FunctionCallInfo fcinfo);

// A bytea argument's bytes after the first skip, in context and aligned to 8
// for reading in place (copied if they are not); nothing if it is shorter.
const void *aligned_bytes(Datum argument, std::size_t skip, MemoryContext context,
                          std::size_t &size);

// A new bytea of size bytes, for the caller to fill; or copied from data.
bytea *new_bytea(std::size_t size);
bytea *new_bytea(const void *data, std::size_t size);

// An aggregate's state argument n, or nullptr if it is NULL; refused with
// not_it unless it is a State (whose first member is its tag, State::kTag).
template <typename State>
State *state_argument(FunctionCallInfo fcinfo, int n, const char *not_it)
{
    if (PG_ARGISNULL(n))
        return nullptr;
    auto *state = reinterpret_cast<State *>(PG_GETARG_POINTER(n));
    if (state->tag != State::kTag)
        refuse_internal_call(not_it);
    return state;
}

// What a state holds, as words (its serialize() of serialized_bytes()), in
// a new bytea: VARDATA is 4 bytes into its block, so they are written
// aligned, then copied there.
template <typename Words>
bytea *words_bytea(const Words &source)
{
    std::size_t size = source.serialized_bytes();
    std::pmr::vector<std::uint64_t> words(size / sizeof(std::uint64_t));
    source.serialize(words.data());
    return new_bytea(words.data(), size);
}

// Made in context and never destroyed: it goes with the context, and so
// does the memory of any KeySetMemory in it (a child context of it).
template <typename T>
T *make_in(MemoryContext context)
{
    void *memory = pg_call([context]() noexcept { return MemoryContextAlloc(context, sizeof(T)); });
    MemoryContext old = MemoryContextSwitchTo(context);
    try {
        T *made = new (memory) T;
        MemoryContextSwitchTo(old);
        return made;
    } catch (...) {
        MemoryContextSwitchTo(old);
        throw;
    }
}

}  // namespace fkd
