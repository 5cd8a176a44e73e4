// fk_restore(batch bigint): puts the rows fk_repairs(rel, 'quarantine') moved
// into fk_quarantine back into their tables, exactly as they were, removes
// them from fk_quarantine, and returns how many rows it put back.
//
// Each table's rows go back in one INSERT ... OVERRIDING SYSTEM VALUE, run
// as the table's owner (it runs the owner's code: the types' input
// functions, CHECK constraints, generated columns, which are computed
// again), with session_replication_role = replica, so that no trigger
// fires: the RI check would refuse an orphan, and an owner's trigger could
// change a row. A restored orphan is an orphan again. Turning triggers off
// is a superuser's right, so fk_restore needs a superuser.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/sql_quoting.hpp"
#include "server/pg_guard.hpp"
#include "server/result_set.hpp"
#include "server/run_as_owner.hpp"
#include "server/spi_executor.hpp"

extern "C" {
#include "storage/lmgr.h"
#include "utils/guc.h"
}

namespace fkd {
namespace {

void set_superuser_setting(const char *name, const char *value)
{
    pg_call([name, value]() noexcept {
        (void) set_config_option(name, value, PGC_SUSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
                                 0, false);
    });
}

// The settings fk_row_text() writes rows under, and replica mode.
void with_restore_settings(const std::function<void()> &work)
{
    int level = pg_call([]() noexcept { return NewGUCNestLevel(); });
    set_superuser_setting("session_replication_role", "replica");
    set_superuser_setting("DateStyle", "ISO, YMD");
    set_superuser_setting("IntervalStyle", "postgres");
    set_superuser_setting("TimeZone", "UTC");
    set_superuser_setting("lc_monetary", "C");
    set_superuser_setting("xmloption", "content");
    // fk_quarantine's policies let the owner read its own tables' rows.
    set_superuser_setting("row_security", "on");
    work();
    pg_call([level]() noexcept { AtEOXact_GUC(true, level); });
}

std::string quoted_list(const std::vector<std::string> &names, const std::string &prefix)
{
    std::vector<std::string> quoted;
    for (const std::string &name : names)
        quoted.push_back(prefix + quote_identifier(name));
    return join_list(quoted, ", ");
}

Datum fk_restore_body(FunctionCallInfo fcinfo)
{
    std::int64_t batch = *int64_argument(fcinfo, 0);
    if (!pg_call([]() noexcept { return superuser(); }))
        throw Error(kInsufficientPrivilege, "permission denied to restore a quarantine batch",
                    "fk_restore puts rows back with triggers off (session_replication_role "
                    "replica), which only a superuser may do.",
                    "Ask a superuser to run SELECT fk_restore(" + std::to_string(batch) + ").");
    QuerySandbox sandbox;
    SpiConnection connection;
    std::string schema = query_value(
                             "SELECT n.nspname FROM pg_catalog.pg_extension e JOIN "
                             "pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE "
                             "e.extname = 'fkdoctor'")
                             .value_or("public");
    std::string quarantine = quote_identifier(schema) + ".fk_quarantine";
    std::string in_batch = "q.batch = " + std::to_string(batch);
    // The tables, those of the orphans first; each locked before its
    // definition is read, as an INSERT would.
    std::vector<TextRow> tables = query_text_rows_now(
        "SELECT q.child_table::pg_catalog.oid, pg_catalog.min(q.level) FROM " + quarantine +
        " q WHERE " + in_batch + " GROUP BY 1 ORDER BY 2, 1");
    if (tables.empty())
        throw Error(kInvalidParameterValue,
                    "quarantine batch " + std::to_string(batch) + " does not exist",
                    "fk_quarantine has no rows of that batch.");
    std::int64_t restored = 0;
    for (const TextRow &row : tables) {
        check_for_interrupts();
        Oid table = static_cast<Oid>(std::stoul(row.at(0).value_or("0")));
        pg_call([table]() noexcept { LockRelationOid(table, RowExclusiveLock); });
        std::vector<TextRow> definition = query_text_rows_now(
            "SELECT n.nspname, c.relname, c.relowner FROM pg_catalog.pg_class c JOIN "
            "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = " +
            std::to_string(table));
        if (definition.empty())
            throw Error(kInvalidParameterValue, "a table of quarantine batch " +
                                                    std::to_string(batch) + " no longer exists");
        std::string name = quote_identifier(*definition[0][0]) + "." +
                           quote_identifier(*definition[0][1]);
        Oid owner = static_cast<Oid>(std::stoul(definition[0][2].value_or("0")));
        // Every column but the generated ones, which are computed again.
        std::vector<std::string> columns;
        for (const TextRow &column : query_text_rows_now(
                 "SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = " +
                 std::to_string(table) +
                 " AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
                 "ORDER BY a.attnum"))
            columns.push_back(*column.at(0));
        std::string insert =
            "INSERT INTO " + name + " (" + quoted_list(columns, "") +
            ") OVERRIDING SYSTEM VALUE SELECT " + quoted_list(columns, "(r.\"row\").") +
            " FROM (SELECT q.row_data::" + name + " AS \"row\" FROM " + quarantine + " q WHERE " +
            in_batch + " AND q.child_table = " + std::to_string(table) +
            "::pg_catalog.oid::pg_catalog.regclass) r";
        with_restore_settings([&] {
            run_as_owner(owner, [&] { restored += static_cast<std::int64_t>(execute_statement(insert)); });
        });
    }
    execute_statement("DELETE FROM " + quarantine + " q WHERE " + in_batch);
    PG_RETURN_INT64(restored);
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_restore, fkd::fk_restore_body)
