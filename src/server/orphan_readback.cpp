#include "server/orphan_readback.hpp"

#include <vector>

#include "core/errors.hpp"
#include "core/sql_generator.hpp"
#include "server/run_as_owner.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace fkd {

namespace {

constexpr std::size_t kRowsPerRead = 10000;

struct PlainRelation {
    const char *schema;
    const char *name;
    Oid owner;
};

// Its name and owner, from the relation cache: the table is locked (by the
// scan that found the orphan), so it is still there.
Relation table_of_child(const ForeignKey &key, Oid table)
{
    if (table == key.child.oid)
        return key.child;
    PlainRelation found = pg_call([table]() noexcept {
        PlainRelation relation{nullptr, nullptr, InvalidOid};
        HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(table));
        if (HeapTupleIsValid(tuple)) {
            auto *form = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
            relation = {get_namespace_name(form->relnamespace), pstrdup(NameStr(form->relname)),
                        form->relowner};
            ReleaseSysCache(tuple);
        }
        return relation;
    });
    if (found.name == nullptr)
        throw Error(kInternalError, "could not find partition " + std::to_string(table) +
                                        " of table " + key.child.name.name);
    return Relation{table, {found.schema, found.name}, 'r', found.owner, std::nullopt};
}

}  // namespace

std::uint64_t put_spooled_orphans(const ForeignKey &key, OrphanSpool &spool, const RowSink &sink,
                                  OrphanColumns columns)
{
    std::uint64_t put = 0;
    std::vector<RowAddress> rows;
    Relation rows_table;  // looked up once per table, not per batch
    auto put_rows = [&] {
        if (rows.empty())
            return;
        std::string query = orphan_rows_at_query(key, rows_table, rows, columns);
        // The planner prices each fetch by ctid as a random read from disk
        // and would scan the whole table for each batch instead.
        run_as_owner(rows_table.owner, [&] {
            with_settings({{"enable_seqscan", "off"}}, [&] { put += run_query_into(query, sink); });
        });
        rows.clear();
    };
    Oid table;
    RowAddress row;
    while (spool.next(table, row)) {
        if (table != rows_table.oid || rows.size() == kRowsPerRead) {
            put_rows();
            if (table != rows_table.oid)
                rows_table = table_of_child(key, table);
        }
        rows.push_back(row);
    }
    put_rows();
    return put;
}

}  // namespace fkd
