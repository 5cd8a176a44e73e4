// The module itself: PostgreSQL's magic block and fkdoctor's settings.
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

void _PG_init(void);

void _PG_init(void)
{
    DefineCustomBoolVariable("fkdoctor.progress",
                             "Report each foreign key fk_audit() checks, as a NOTICE.",
                             nullptr, &fkdoctor_progress, false, PGC_USERSET, 0,
                             nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("fkdoctor.check_in_memory",
                             "Check keys of plain values against the parent's keys in memory.",
                             "Keys of integers or uuids are checked in one scan of the child "
                             "against the parent's keys held in memory; off: every check is "
                             "PostgreSQL's anti-join.",
                             &fkdoctor_check_in_memory, true, PGC_USERSET, 0,
                             nullptr, nullptr, nullptr);
#if PG_VERSION_NUM >= 150000
    MarkGUCPrefixReserved("fkdoctor");
#else
    EmitWarningsOnPlaceholders("fkdoctor");
#endif
}
}
