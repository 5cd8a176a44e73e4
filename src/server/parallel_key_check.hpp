// The parents' keys of a check in memory, made into a query parameter, so
// that PostgreSQL's parallel workers scan the child with the leader: each
// process looks its rows up in the same sets (functions/fk_orphan_tally.cpp)
// and their tallies are added up by the aggregate's combine step.
// PostgreSQL's planner decides whether the scan runs in parallel, and with
// how many workers (max_parallel_workers_per_gather), as for any query.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "core/flat_key_sets.hpp"
#include "server/spi_executor.hpp"

namespace fkd {

// The schema of fkdoctor's internal functions, or nothing when the
// extension's SQL objects are older than 0.4 (a newer library then checks
// in one backend).
std::optional<std::string> internal_schema();

// The bytea holds kKeySetsPadding zero bytes, then the sets or a reference
// to them: its data is 4 bytes into a block PostgreSQL aligns to 8 (in each
// worker too, which gets a copy of the parameter), so what follows starts
// at a multiple of 8 and is read in place.
constexpr std::size_t kKeySetsPadding = 4;

// The sets for $1, freed with the object. They are put in a segment of
// dynamic shared memory that the leader and every worker map, one copy for
// all (a copy in each process crowds the CPU's cache out of the lookups),
// and $1 holds a reference to it: the segment's handle and a random token
// the segment starts with, so that a reference made up by a caller is
// refused. Where no segment can be made, $1 holds the sets themselves;
// empty if they do not fit in one (1 GB).
class KeySetsParameter {
public:
    explicit KeySetsParameter(const FlatKeySetWriter &sets);
    ~KeySetsParameter();
    KeySetsParameter(const KeySetsParameter &) = delete;
    KeySetsParameter &operator=(const KeySetsParameter &) = delete;

    explicit operator bool() const { return bytes_ != nullptr; }
    QueryParameters parameters() const;

private:
    bool share(const FlatKeySetWriter &sets);
    void hold(const FlatKeySetWriter &sets);

    void *bytes_ = nullptr;
    struct dsm_segment *segment_ = nullptr;
};

// The sets a $1 made by KeySetsParameter holds or refers to, as size bytes
// aligned to 8 that live as long as the query; nothing for bytes of
// another form, or a reference to a segment that is not the one it names.
const void *key_sets_block(Datum parameter, MemoryContext context, std::size_t &size);

}  // namespace fkd
