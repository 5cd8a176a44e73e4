// fkdoctor's own settings (GUCs), defined in module.cpp.
#pragma once

extern "C" {
// fkdoctor.progress: a NOTICE per key as fk_audit() checks it.
extern bool fkdoctor_progress;
// fkdoctor.check_in_memory: check keys of plain values in memory (key_scan.hpp).
extern bool fkdoctor_check_in_memory;
}
