// Where orphan rows are, written once and read back in order: the first
// megabyte in memory, the rest in a temporary file, so that fk_orphans()
// holds no more memory for 500,000 orphans than for 5.
#pragma once

#include "server/pg_guard.hpp"
#include "core/row_address.hpp"

extern "C" {
#include "executor/tuptable.h"
#include "storage/itemptr.h"
#include "utils/tuplestore.h"
}

namespace fkd {

class OrphanSpool {
public:
    OrphanSpool();
    ~OrphanSpool();
    OrphanSpool(const OrphanSpool &) = delete;
    OrphanSpool &operator=(const OrphanSpool &) = delete;

    // table: the row's table (a leaf partition of a partitioned child).
    void add(Oid table, ItemPointer ctid);
    // The next row, in the order added; false after the last.
    bool next(Oid &table, RowAddress &row);

private:
    TupleDesc descriptor_ = nullptr;
    Tuplestorestate *store_ = nullptr;
    TupleTableSlot *slot_ = nullptr;
};

}  // namespace fkd
