#include "server/access_checks.hpp"

#include "core/errors.hpp"
#include "core/sql_quoting.hpp"

extern "C" {
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
}

namespace fkd {

void require_select_privilege(Oid table)
{
    pg_call([table]() noexcept {
        AclResult result = pg_class_aclcheck(table, GetUserId(), ACL_SELECT);
        if (result != ACLCHECK_OK)
            aclcheck_error(result, get_relkind_objtype(get_rel_relkind(table)),
                           get_rel_name(table));
    });
}

bool may_check(const ForeignKey &key, bool table_named)
{
    std::optional<std::string> reason = reason_not_checkable(key);
    if (!reason)
        return true;
    std::string subject = "foreign key " + quote_identifier(key.name) + " of table " +
                          quote_qualified(key.child.name);
    std::string detail = sentence(*reason);
    if (table_named)
        throw Error(kInsufficientPrivilege, "cannot check " + subject, detail,
                    "Run the check as a role that can read both tables in full, "
                    "such as their owner or a role with BYPASSRLS.",
                    {key.child.name.schema, key.child.name.name, key.name});
    std::string message = "cannot check " + subject + ", skipping";
    const char *m = message.c_str(), *d = detail.c_str();
    pg_call([m, d]() noexcept { ereport(NOTICE, (errmsg("%s", m), errdetail("%s", d))); });
    return false;
}

}  // namespace fkd
