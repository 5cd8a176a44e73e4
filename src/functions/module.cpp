// The module itself: PostgreSQL's magic block and fkdoctor's settings.
#include <climits>

extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "utils/guc.h"
}

#include "server/settings.hpp"

extern "C" {

PG_MODULE_MAGIC;

bool fkdoctor_progress = false;
bool fkdoctor_check_in_memory = true;
int fkdoctor_audit_range_blocks = 0;

void _PG_init(void);

void _PG_init(void)
{
    DefineCustomBoolVariable("fkdoctor.progress",
                             "Report each foreign key fk_audit() checks, and each range of "
                             "blocks a budgeted audit reads, as a NOTICE.",
                             nullptr, &fkdoctor_progress, false, PGC_USERSET, 0,
                             nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("fkdoctor.check_in_memory",
                             "Check keys of plain values against the parent's keys in memory.",
                             "Keys of integers or uuids are checked in one scan of the child "
                             "against the parent's keys held in memory; off: every check is "
                             "PostgreSQL's anti-join.",
                             &fkdoctor_check_in_memory, true, PGC_USERSET, 0,
                             nullptr, nullptr, nullptr);
    DefineCustomIntVariable("fkdoctor.audit_range_blocks",
                            "Blocks of each range a budgeted audit reads; 0: chosen from the budget.",
                            "fk_audit_record(time_budget) reads a child table in ranges of heap "
                            "blocks, sized from the budget and the speed measured on the table; "
                            "a fixed size is for tests and for comparing.",
                            &fkdoctor_audit_range_blocks, 0, 0, INT_MAX, PGC_USERSET,
                            0, nullptr, nullptr, nullptr);
#if PG_VERSION_NUM >= 150000
    MarkGUCPrefixReserved("fkdoctor");
#else
    EmitWarningsOnPlaceholders("fkdoctor");
#endif
}
}
