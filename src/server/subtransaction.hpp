// Running part of a call in an internal subtransaction, as PL/pgSQL's
// EXCEPTION blocks do, so that one failing check does not end the call.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "server/pg_guard.hpp"

namespace fkd {

// Runs work in a subtransaction. If a PostgreSQL error ends it, the
// subtransaction is rolled back and the error's message returned; a query
// cancel, statement_timeout or lock_timeout (raised by PostgreSQL's interrupt
// handling, not merely carrying its SQLSTATE) still ends the whole call.
std::optional<std::string> run_in_subtransaction(const std::function<void()> &work);

// The same, but the subtransaction is always rolled back: for a trial run
// of a statement whose effects must not stay.
std::optional<std::string> try_and_roll_back(const std::function<void()> &work);

}  // namespace fkd
