// Whose rights run a table owner's code. A check of a foreign key can
// evaluate code that a table's owner controls (operators, casts, json
// conversions, defaults, domain checks): it runs as that owner, never as the
// caller, as PostgreSQL's own maintenance commands do: in a security-
// restricted operation (no SET ROLE, no temporary objects that could outlive
// it), with the search_path pg_catalog, pg_temp, and row-level security
// that a table forces on its owner not applied (SECURITY_NOFORCE_RLS, as the
// RI check). The caller's own privileges have been checked before: they
// decide what may be checked, the owner's rights how.
#pragma once

#include <functional>

#include "core/catalog_model.hpp"

namespace fkd {

// Runs work as role. If work throws, the user id is set back at once and
// the settings are left to the (sub)transaction abort that follows.
void run_as_owner(Oid role, const std::function<void()> &work);

// Runs work as the role that checks key: the owner of its child table, the
// role that declared the key and that PostgreSQL's VALIDATE CONSTRAINT runs
// the same anti-join as.
void run_as_key_checker(const ForeignKey &key, const std::function<void()> &work);

}  // namespace fkd
