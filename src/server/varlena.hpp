// PostgreSQL's varlena macros (VARDATA, VARSIZE_ANY_EXHDR, ...): in
// varatt.h from 16 on, in postgres.h before.
#pragma once

extern "C" {
#include "postgres.h"
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif
}
