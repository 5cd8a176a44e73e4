// fk_orphans' rows for orphans whose places were spooled: read back by
// ctid, a batch at a time, from the table each is in.
#pragma once

#include <cstdint>

#include "core/catalog_model.hpp"
#include "core/sql_generator.hpp"
#include "server/orphan_spool.hpp"
#include "server/spi_executor.hpp"

namespace fkd {

// Puts the key's rows at the places in spool into sink, reading each table
// (the child or a leaf partition of it) as that table's owner: a role that
// may read a partitioned table needs no privilege on its partitions.
// Returns the rows put.
std::uint64_t put_spooled_orphans(const ForeignKey &key, OrphanSpool &spool, const RowSink &sink,
                                  OrphanColumns columns);

}  // namespace fkd
