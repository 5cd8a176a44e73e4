// Load and lookup times of the key sets (src/core/key_set.cpp) for 1M random
// and 1M sequential keys: the best of 11 runs in thread CPU time, since the
// machines are shared. Needs no PostgreSQL; from the top of the tree:
//   g++ -std=c++17 -O2 -Isrc -o /tmp/key_set_timing
//       test/bench/key_set_timing.cpp src/core/key_set.cpp && /tmp/key_set_timing
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

#include "core/key_set.hpp"

using namespace fkd;

namespace {

const HashSeed kSeed{0x0123456789ABCDEFULL, 0xFEDCBA9876543210ULL};
const InterruptCheck kCheck = [] {};
constexpr std::size_t kMemory = std::size_t{1} << 30;

double cpu_ms()
{
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

template <typename F>
void report(const char *what, F work)
{
    double best = 1e30;
    for (int run = 0; run < 11; ++run) {
        double start = cpu_ms();
        work();
        best = std::min(best, cpu_ms() - start);
    }
    std::printf("%-50s %7.1f ms\n", what, best);
}

}  // namespace

int main()
{
    const std::size_t n = 1000000;
    std::mt19937_64 random(42);
    std::vector<IntegerKey> random_keys(n), sequential(n), lookups(n);
    std::vector<WideKey> wide_random(n), pairs(n);
    for (std::size_t i = 0; i < n; ++i) {
        random_keys[i] = static_cast<IntegerKey>(random());
        sequential[i] = static_cast<IntegerKey>(i + 1);
        lookups[i] = i % 2 ? random_keys[(i * 7919) % n] : static_cast<IntegerKey>(random());
        wide_random[i] = WideKey{random(), random()};
        pairs[i] = WideKey{i / 1000, i % 1000};
    }
    volatile std::size_t sink = 0;
    report("int8 random: IntegerKeySet::build (hash)", [&] {
        sink = sink + IntegerKeySet::build(random_keys, kMemory, kSeed, kCheck)->bytes();
    });
    report("int8 sequential: IntegerKeySet::build (bitmap)", [&] {
        sink = sink + IntegerKeySet::build(sequential, kMemory, kSeed, kCheck)->bytes();
    });
    report("int8 random: KeyHashSet::insert, growing", [&] {
        KeyHashSet<IntegerKey> set(kMemory, kSeed);
        for (IntegerKey key : random_keys)
            set.insert(key);
        sink = sink + set.size();
    });
    report("int8 sequential: KeyHashSet::insert, growing", [&] {
        KeyHashSet<IntegerKey> set(kMemory, kSeed);
        for (IntegerKey key : sequential)
            set.insert(key);
        sink = sink + set.size();
    });
    auto set = IntegerKeySet::build(random_keys, kMemory, kSeed, kCheck);
    report("int8 random: 1M contains, half present", [&] {
        std::size_t found = 0;
        for (IntegerKey key : lookups)
            found += set->contains(key);
        sink = sink + found;
    });
    report("wide random: WideKeySet::build", [&] {
        sink = sink + WideKeySet::build(wide_random, kMemory, kSeed, kCheck)->bytes();
    });
    report("wide pairs {i / 1000, i % 1000}: WideKeySet::build", [&] {
        sink = sink + WideKeySet::build(pairs, kMemory, kSeed, kCheck)->bytes();
    });
    return 0;
}
