// fkdoctor's own settings (GUCs), defined in module.cpp.
#pragma once

extern "C" {
// fkdoctor.progress: a NOTICE per key as fk_audit() checks it (a budgeted
// audit's NOTICEs come from its SQL, fkdoctor--0.3--0.4.sql).
extern bool fkdoctor_progress;
// fkdoctor.check_in_memory: check keys of plain values in memory (key_scan.hpp).
extern bool fkdoctor_check_in_memory;
// fkdoctor.audit_range_blocks: read only by the budgeted audit's SQL, as
// current_setting(); defined here so that a wrong value is refused.
extern int fkdoctor_audit_range_blocks;
}
