#include "server/subtransaction.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/resowner.h"
}

namespace fkd {

namespace {

void leave_subtransaction(bool commit, MemoryContext context, ResourceOwner owner)
{
    pg_call([commit, context, owner]() noexcept {
        if (commit)
            ReleaseCurrentSubTransaction();
        else
            RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(context);
        CurrentResourceOwner = owner;
    });
}

}  // namespace

namespace {

std::optional<std::string> in_subtransaction(const std::function<void()> &work, bool commit)
{
    MemoryContext context = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    pg_call([context]() noexcept {
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(context);
    });
    try {
        work();
    } catch (const PgError &error) {
        leave_subtransaction(false, context, owner);
        // A real cancel or timeout stops the call. Code a table owner wrote
        // can raise an error with the same SQLSTATE: that ends only this check.
        if (error.is_interrupt())
            throw;
        return std::string(error.what());
    } catch (...) {
        leave_subtransaction(false, context, owner);
        throw;
    }
    leave_subtransaction(commit, context, owner);
    return std::nullopt;
}

}  // namespace

std::optional<std::string> run_in_subtransaction(const std::function<void()> &work)
{
    return in_subtransaction(work, true);
}

std::optional<std::string> try_and_roll_back(const std::function<void()> &work)
{
    return in_subtransaction(work, false);
}

}  // namespace fkd
