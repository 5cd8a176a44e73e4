// fkdoctor's own settings (GUCs), defined in module.cpp.
#pragma once

extern "C" {
// fkdoctor.progress: a NOTICE per key as fk_audit() checks it.
extern bool fkdoctor_progress;
}
