#include "server/subtransaction.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/resowner.h"
}

namespace fkd {

namespace {

void leave_subtransaction(bool commit, MemoryContext context, ResourceOwner owner)
{
    pg_call([commit, context, owner] {
        if (commit)
            ReleaseCurrentSubTransaction();
        else
            RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(context);
        CurrentResourceOwner = owner;
    });
}

// Errors that mean "stop", not "this check failed".
bool ends_the_call(const PgError &error)
{
    int code = error.data()->sqlerrcode;
    return code == ERRCODE_QUERY_CANCELED || code == ERRCODE_LOCK_NOT_AVAILABLE ||
           ERRCODE_TO_CATEGORY(code) == ERRCODE_OPERATOR_INTERVENTION;
}

}  // namespace

std::optional<std::string> run_in_subtransaction(const std::function<void()> &work)
{
    MemoryContext context = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    pg_call([context] {
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(context);
    });
    try {
        work();
    } catch (const PgError &error) {
        leave_subtransaction(false, context, owner);
        if (ends_the_call(error))
            throw;
        return std::string(error.what());
    } catch (...) {
        leave_subtransaction(false, context, owner);
        throw;
    }
    leave_subtransaction(true, context, owner);
    return std::nullopt;
}

}  // namespace fkd
