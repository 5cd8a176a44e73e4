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

// The bytea holds kKeySetsPadding zero bytes, then the sets: its data is 4
// bytes into a block PostgreSQL aligns to 8 (in each worker too, which gets
// a copy of the parameter), so the sets start at a multiple of 8 and are
// read in place.
constexpr std::size_t kKeySetsPadding = 4;

// The sets as a bytea value for $1, freed with the object; empty if they do
// not fit in one (1 GB).
class KeySetsParameter {
public:
    explicit KeySetsParameter(const FlatKeySetWriter &sets);
    ~KeySetsParameter();
    KeySetsParameter(const KeySetsParameter &) = delete;
    KeySetsParameter &operator=(const KeySetsParameter &) = delete;

    explicit operator bool() const { return bytes_ != nullptr; }
    QueryParameters parameters() const;

private:
    void *bytes_ = nullptr;
};

}  // namespace fkd
