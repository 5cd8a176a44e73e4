// Where a row is in its table: its ctid. Plain C++.
#pragma once

#include <cstdint>

namespace fkd {

struct RowAddress {
    std::uint32_t block = 0;
    std::uint16_t offset = 0;
};

}  // namespace fkd
