#include "server/run_as_owner.hpp"

#include "server/pg_guard.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace fkd {

namespace {

int enter_owner_context(Oid role, int caller_context)
{
    return pg_call([role, caller_context]() noexcept {
        SetUserIdAndSecContext(role, caller_context | SECURITY_LOCAL_USERID_CHANGE |
                                         SECURITY_RESTRICTED_OPERATION | SECURITY_NOFORCE_RLS);
        int level = NewGUCNestLevel();
#if PG_VERSION_NUM >= 170000
        RestrictSearchPath();
#else
        (void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
                                 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
#endif
        return level;
    });
}

}  // namespace

void run_as_owner(Oid role, const std::function<void()> &work)
{
    Oid caller = InvalidOid;
    int caller_context = 0;
    GetUserIdAndSecContext(&caller, &caller_context);
    int level = enter_owner_context(role, caller_context);
    try {
        work();
    } catch (...) {
        // Two variables, set without any call that can fail: no C++ code
        // runs as the owner while the exception unwinds.
        SetUserIdAndSecContext(caller, caller_context);
        throw;
    }
    pg_call([level, caller, caller_context]() noexcept {
        AtEOXact_GUC(true, level);
        SetUserIdAndSecContext(caller, caller_context);
    });
}

void run_as_key_checker(const ForeignKey &key, const std::function<void()> &work)
{
    run_as_owner(key.child.owner, work);
}

}  // namespace fkd
