// An allocator for Boost.Container containers that takes its memory from a
// PostgreSQL memory context, so whatever a container holds goes away with the
// context even if an error ends the query. It never raises a PostgreSQL
// error: out of memory is std::bad_alloc, like any C++ allocator.
#pragma once

#include <cstddef>
#include <new>

extern "C" {
#include "postgres.h"
#include "utils/memutils.h"
}

namespace fkd {

template <typename T>
class PallocAllocator {
public:
    using value_type = T;

    PallocAllocator() noexcept : context_(CurrentMemoryContext) {}
    explicit PallocAllocator(MemoryContext context) noexcept : context_(context) {}
    template <typename U>
    PallocAllocator(const PallocAllocator<U> &other) noexcept : context_(other.context()) {}

    T *allocate(std::size_t n)
    {
        void *memory = MemoryContextAllocExtended(context_, n * sizeof(T),
                                                  MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);
        if (memory == nullptr)
            throw std::bad_alloc();
        return static_cast<T *>(memory);
    }

    void deallocate(T *pointer, std::size_t) noexcept { pfree(pointer); }

    MemoryContext context() const noexcept { return context_; }

    template <typename U>
    bool operator==(const PallocAllocator<U> &other) const noexcept
    {
        return context_ == other.context();
    }
    template <typename U>
    bool operator!=(const PallocAllocator<U> &other) const noexcept
    {
        return !(*this == other);
    }

private:
    MemoryContext context_;
};

}  // namespace fkd
