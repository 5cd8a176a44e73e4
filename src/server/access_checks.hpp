// What the caller may read. fkdoctor runs with the caller's rights and never
// lets a privilege gap or a row-level security policy pass for orphans.
#pragma once

#include "core/catalog_model.hpp"
#include "server/pg_guard.hpp"

namespace fkd {

// PostgreSQL's own error (42501, or 42P01 for an OID that names no table)
// unless the caller may SELECT from the table.
void require_select_privilege(Oid table);

// Whether the caller can check the key. A key of a table the caller named is
// an error if not (42501); in a whole-database call it is skipped with a NOTICE.
bool may_check(const ForeignKey &key, bool table_named);

}  // namespace fkd
