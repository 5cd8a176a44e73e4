#include "server/orphan_spool.hpp"

extern "C" {
#include "access/tupdesc.h"
#include "catalog/pg_type_d.h"
#include "executor/executor.h"
}

namespace fkd {

namespace {

constexpr int kMemoryKilobytes = 1024;

}  // namespace

OrphanSpool::OrphanSpool()
{
    descriptor_ = pg_call([]() noexcept {
        TupleDesc descriptor = CreateTemplateTupleDesc(2);
        TupleDescInitEntry(descriptor, 1, "table", OIDOID, -1, 0);
        TupleDescInitEntry(descriptor, 2, "ctid", TIDOID, -1, 0);
        return descriptor;
    });
    store_ = pg_call([]() noexcept { return tuplestore_begin_heap(false, false, kMemoryKilobytes); });
}

OrphanSpool::~OrphanSpool()
{
    try {
        pg_call([this]() noexcept {
            if (slot_ != nullptr)
                ExecDropSingleTupleTableSlot(slot_);
            tuplestore_end(store_);
        });
    } catch (...) {
        // The end of the call's memory context frees it all anyway.
    }
}

void OrphanSpool::add(Oid table, ItemPointer ctid)
{
    pg_call([this, table, ctid]() noexcept {
        Datum values[2] = {ObjectIdGetDatum(table), PointerGetDatum(ctid)};
        bool nulls[2] = {false, false};
        tuplestore_putvalues(store_, descriptor_, values, nulls);
    });
}

bool OrphanSpool::next(Oid &table, RowAddress &row)
{
    ItemPointer ctid = pg_call([this, &table]() noexcept -> ItemPointer  {
        if (slot_ == nullptr)
            slot_ = MakeSingleTupleTableSlot(descriptor_, &TTSOpsMinimalTuple);
        if (!tuplestore_gettupleslot(store_, true, false, slot_))
            return nullptr;
        slot_getallattrs(slot_);
        table = DatumGetObjectId(slot_->tts_values[0]);
        return reinterpret_cast<ItemPointer>(DatumGetPointer(slot_->tts_values[1]));
    });
    if (ctid == nullptr)
        return false;
    row.block = ItemPointerGetBlockNumber(ctid);
    row.offset = ItemPointerGetOffsetNumber(ctid);
    return true;
}

}  // namespace fkd
