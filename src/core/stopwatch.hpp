// Elapsed wall-clock time, in milliseconds, for elapsed_ms and progress.
#pragma once

#include <chrono>

namespace fkd {

class Stopwatch {
public:
    double elapsed_ms() const
    {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
            .count();
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace fkd
