// fk_audit_show_progress(progress jsonb): shows other sessions what a
// budgeted audit (fk_audit_record(time_budget interval)) is reading, through
// pg_stat_activity, which the view fk_audit_progress reads. The backend's
// activity becomes "fkdoctor progress: <progress>" on a line of its own,
// then the statement that runs the audit; NULL puts the statement alone
// back.
//
// Why pg_stat_activity: PostgreSQL's command progress (pg_stat_progress_*)
// has a fixed list of commands an extension cannot add to, and shared
// memory of fkdoctor's own needs shared_preload_libraries (or 17's dynamic
// shared memory registry). The activity is PostgreSQL's own way for a
// backend to say what it is doing (autovacuum workers write theirs), is
// seen at once by other sessions with the rights to see the backend's
// query, and works alike on 15 to 18.
#include <string>

#include "server/pg_guard.hpp"

extern "C" {
#include "pgstat.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
#include "utils/fmgrprotos.h"
}

namespace fkd {
namespace {

constexpr const char *kProgressPrefix = "fkdoctor progress: ";

std::string statement_text()
{
    return debug_query_string ? debug_query_string : "";
}

// The activity as the audit's statement, or with its progress first.
std::string activity(FunctionCallInfo fcinfo)
{
    if (PG_ARGISNULL(0))
        return statement_text();
    Datum progress = PG_GETARG_DATUM(0);
    const char *json = pg_call([progress]() noexcept {
        return DatumGetCString(DirectFunctionCall1(jsonb_out, progress));
    });
    return kProgressPrefix + std::string(json) + "\n" + statement_text();
}

Datum fk_audit_show_progress_body(FunctionCallInfo fcinfo)
{
    std::string text = activity(fcinfo);
    const char *shown = text.c_str();
    pg_call([shown]() noexcept {
        // Reporting the activity forgets the statement's query id: keep it.
        auto query_id = pgstat_get_my_query_id();
        pgstat_report_activity(STATE_RUNNING, shown);
        pgstat_report_query_id(query_id, true);
    });
    return (Datum) 0;
}

}  // namespace
}  // namespace fkd

FKD_SQL_FUNCTION(fk_audit_show_progress, fkd::fk_audit_show_progress_body)
