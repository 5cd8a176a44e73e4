// The repair statements of fk_repairs(): one set-based statement per key,
// each re-checking orphan-ness when it runs, so a parent inserted between
// review and execution saves its children and a second run changes nothing.
// Plain C++.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog_model.hpp"

namespace fkd {

enum class Strategy { Delete, SetNull, SetDefault, InsertParent };

inline constexpr Strategy kStrategies[] = {Strategy::Delete, Strategy::SetNull,
                                           Strategy::SetDefault, Strategy::InsertParent};

const char *strategy_name(Strategy strategy);

// 22023 for a name that is no strategy.
Strategy strategy_from_name(std::string_view name);

// What the schema says should happen to a child whose parent is gone: the
// key's ON DELETE action, when it is one that changes the child.
std::optional<Strategy> strategy_of_on_delete(Action on_delete);

// Why the catalogs alone rule the strategy out for this key, if they do.
std::optional<std::string> catalog_obstacle(const ForeignKey &key, Strategy strategy);

// A query returning one row, one text column: why the data rules the
// strategy out (NULL if it does not), for the strategies that need a look.
std::optional<std::string> data_obstacle_query(const ForeignKey &key, Strategy strategy);

std::string repair_statement(const ForeignKey &key, Strategy strategy);

// SELECT count(*) of the rows the statement would change now (for
// insert_parent: the distinct missing keys).
std::string affected_rows_query(const ForeignKey &key, Strategy strategy);

std::string repair_note(const ForeignKey &key, Strategy strategy, bool child_is_referenced);

// The statements that make PostgreSQL enforce the key again once its
// orphans are gone: re-enable its RI triggers, validate a NOT VALID key.
struct FollowUp {
    const char *kind;  // "enable_trigger" or "validate"
    std::string statement;
    std::string note;
};
std::vector<FollowUp> follow_ups(const ForeignKey &key);

// Order in which the rows of fk_repairs() run: parents are inserted before
// children are updated, updates before deletes, deletes of referencing
// tables before those of the tables they reference.
int repair_phase(std::optional<Strategy> strategy);

}  // namespace fkd
