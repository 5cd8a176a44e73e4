#include "server/key_set_memory.hpp"

#include <new>

extern "C" {
#include "utils/memutils.h"
}

namespace fkd {

KeySetMemory::KeySetMemory()
    : context_(pg_call([]() noexcept {
          return AllocSetContextCreate(CurrentMemoryContext, "fkdoctor key sets",
                                       ALLOCSET_DEFAULT_SIZES);
      }))
{
}

KeySetMemory::~KeySetMemory()
{
    MemoryContextDelete(context_);
}

void *KeySetMemory::do_allocate(std::size_t bytes, std::size_t alignment)
{
    if (alignment > MAXIMUM_ALIGNOF || bytes > MaxAllocHugeSize)
        throw std::bad_alloc();
    MemoryContext context = context_;
    void *memory = pg_call([context, bytes]() noexcept {
        return MemoryContextAllocExtended(context, bytes, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
    });
    if (memory == nullptr)
        throw std::bad_alloc();
    return memory;
}

void KeySetMemory::do_deallocate(void *memory, std::size_t, std::size_t)
{
    pfree(memory);
}

HashSeed new_seed()
{
    HashSeed seed;
    pg_call([&seed]() noexcept {
        if (!pg_strong_random(&seed, sizeof seed))
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("fkdoctor could not generate a random hash seed")));
    });
    return seed;
}

}  // namespace fkd
