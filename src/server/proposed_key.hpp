// A foreign key that is not declared yet, resolved as ALTER TABLE ... ADD
// FOREIGN KEY would resolve it (tablecmds.c: transformFkeyGetPrimaryKey,
// transformFkeyCheckAttrs, then ATAddForeignKeyConstraint's choice of
// operators), into the catalog model, so that the one orphan check judges
// it as PostgreSQL would once it is added.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/catalog_model.hpp"
#include "server/catalog_reader.hpp"

namespace fkd {

struct ProposedKey {
    Oid child = 0;
    std::vector<std::string> child_columns;
    Oid parent = 0;
    std::optional<std::vector<std::string>> parent_columns;  // nothing: the primary key
    MatchType match = MatchType::Simple;
};

// Locks both tables (AccessShareLock), resolves the key, and appends it to
// keys. Input ADD FOREIGN KEY would refuse is an error that says why, with
// PostgreSQL's SQLSTATE.
void load_proposed_key(const ProposedKey &proposed, KeyList &keys);

}  // namespace fkd
