// The memory of one check's key sets (core/key_set.hpp): a memory context of
// its own, "fkdoctor key sets", so that what may be the biggest allocation of
// a call (up to maintenance_work_mem) shows in pg_backend_memory_contexts,
// and goes, whatever happens, when the check ends.
//
// The rule for a call's memory, written once: C++ objects own their memory
// and free it in their destructors, on the error path too (no PostgreSQL
// error ever longjmps over a C++ frame: pg_guard.hpp); what grows with a
// table's rows comes from a memory context of the check through a
// std::pmr::memory_resource; what PostgreSQL returns (Datums, SPI results)
// lives in PostgreSQL's contexts, as PostgreSQL allocates it.
#pragma once

#include <cstddef>
#include <memory_resource>

#include "core/key_set.hpp"
#include "server/pg_guard.hpp"

namespace fkd {

// A new secret for a hash set (core/key_set.hpp), so that a table's owner
// cannot choose keys that crowd one slot of it.
HashSeed new_seed();

// Takes its memory from a new context under CurrentMemoryContext.
class KeySetMemory : public std::pmr::memory_resource {
public:
    KeySetMemory();
    ~KeySetMemory() override;
    KeySetMemory(const KeySetMemory &) = delete;
    KeySetMemory &operator=(const KeySetMemory &) = delete;

private:
    // std::bad_alloc when the memory cannot be had (never a PostgreSQL error).
    void *do_allocate(std::size_t bytes, std::size_t alignment) override;
    void do_deallocate(void *memory, std::size_t bytes, std::size_t alignment) override;
    bool do_is_equal(const std::pmr::memory_resource &other) const noexcept override
    {
        return this == &other;
    }

    MemoryContext context_;
};

}  // namespace fkd
