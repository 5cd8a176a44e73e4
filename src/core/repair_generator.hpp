// The repair statements of fk_repairs(): one set-based statement per key,
// each re-checking orphan-ness when it runs (the orphan test of
// sql_generator, through the key's own operators and collations), so a
// parent inserted between review and execution saves its children and a
// second run changes nothing. Plain C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalog_model.hpp"

namespace fkd {

enum class Strategy { Delete, SetNull, SetDefault, InsertParent, Quarantine };

inline constexpr Strategy kStrategies[] = {Strategy::Delete, Strategy::SetNull,
                                           Strategy::SetDefault, Strategy::InsertParent,
                                           Strategy::Quarantine};

const char *strategy_name(Strategy strategy);

// 22023 for a name that is no strategy.
Strategy strategy_from_name(std::string_view name);

// What the schema says should happen to a child whose parent is gone: the
// key's ON DELETE action, when it is one that changes the child.
std::optional<Strategy> strategy_of_on_delete(Action on_delete);

// Why the catalogs alone rule the strategy out for this key, if they do.
std::optional<std::string> catalog_obstacle(const ForeignKey &key, Strategy strategy);

// Queries that each return one text value, a reason the data rules the
// strategy out, or no row (or NULL) when it does not. Running one can fail
// (a key value out of range of the parent's type, a default that raises):
// that is a reason too, so the caller runs each in a subtransaction.
std::vector<std::string> data_obstacle_queries(const ForeignKey &key, Strategy strategy);

std::string repair_statement(const ForeignKey &key, Strategy strategy);

// The table the strategy's statement changes: the parent for insert_parent.
const Relation &changed_table(const ForeignKey &key, Strategy strategy);

// The statement without its SET ROLE wrapping, for a trial run as that
// table's owner in a subtransaction that is then rolled back.
std::string trial_statement(const ForeignKey &key, Strategy strategy);

// The quarantine strategy: one statement that deletes the key's orphans
// and, through each ON DELETE CASCADE key below them (cascades), the rows
// the cascade would remove with them, and inserts them all into the
// extension's table fk_quarantine, in one batch. Each step's rows
// reference the rows of the step `from` (-1: the orphans) through key.
struct CascadeStep {
    const ForeignKey *key;
    int from;
};
// self_key: a self-referencing key of the child (NO ACTION, RESTRICT or
// CASCADE) whose rows below the orphans go with them, found recursively.
struct QuarantinePlan {
    std::string extension_schema;
    std::int64_t batch = 0;
    std::vector<CascadeStep> cascades;
    const ForeignKey *self_key = nullptr;
};
// wrapped: as the child's owner (as_table_owner); else the bare statement,
// for a trial run.
std::string quarantine_statement(const ForeignKey &key, const QuarantinePlan &plan,
                                 bool wrapped = true);
std::string quarantine_note(const ForeignKey &key, const QuarantinePlan &plan);

// The delete strategy when other rows reference the orphans through NO
// ACTION, RESTRICT or CASCADE keys (the plan's steps, as for quarantine):
// one statement that deletes the orphans and, with them, those rows and the
// rows below them, so that it neither fails on a NO ACTION key nor leaves
// an orphan behind. Without steps: the plain DELETE.
std::string delete_statement(const ForeignKey &key, const QuarantinePlan &plan,
                             bool wrapped = true);
std::string delete_note(const ForeignKey &key, const QuarantinePlan &plan);

// SELECT count(*) of the rows the statement would change now (for
// insert_parent: the distinct parent keys it would insert).
std::string affected_rows_query(const ForeignKey &key, Strategy strategy);

std::string repair_note(const ForeignKey &key, Strategy strategy);

// The order in which the rows of fk_repairs() run. Every statement re-checks
// orphan-ness when it runs, so one that runs after another has fixed some of
// its rows changes only what is still broken; the order decides what the
// statements do to each other:
//
// 1. EnableTriggers: PostgreSQL enforces the keys again before any row
//    changes, so the repairs are themselves checked. A DELETE then cascades
//    (or fails, for NO ACTION) along the keys that reference the deleted
//    rows instead of silently leaving new orphans there: in a self-
//    referencing ON DELETE CASCADE table the rows below a deleted orphan go
//    with it, as the schema says, rather than becoming the next run's
//    orphans. New keys and parent rows are checked against their own keys.
//    Enabling a trigger checks no existing row, so the orphans do not stop it.
// 2. InsertParent: a parent put back saves every row that references it,
//    whatever table or key: an orphan another key's repair would delete
//    (two tables referencing the same missing key, one repaired by
//    insert_parent, one by delete) is no longer an orphan when that DELETE
//    re-checks, so nothing is deleted that a repair could keep. The price:
//    a row that is an orphan of two keys of its table, one repaired by
//    insert_parent and one by delete, gets its parent inserted and is then
//    deleted; the made-up parent stays.
// 3. Update (set_null, set_default): the orphans still there get a key that
//    is NULL or references a parent checked to exist.
// 4. Delete, the tables furthest down the chain of references first (the
//    caller sorts by depth): when an orphan is still referenced, through a
//    NO ACTION key, by an orphan of a table below it, the lower one must go
//    first or the DELETE above fails. In a self-referencing table one DELETE
//    removes the orphans, and with ON DELETE CASCADE the rows below them;
//    with NO ACTION it fails, changing nothing, while other rows still
//    reference an orphan, which is why such a key's default is insert_parent.
// 5. ByHand: a key a person must repair (no statement).
// 6. Validate: VALIDATE CONSTRAINT (ALTER CONSTRAINT ... ENFORCED for a NOT
//    ENFORCED key) once nothing should be left; it changes no row, and
//    fails if an orphan is.
enum class Phase { EnableTriggers, InsertParent, Update, Delete, ByHand, Validate };

Phase repair_phase(std::optional<Strategy> strategy);

// The statements that make PostgreSQL enforce the key again: re-enable its
// RI triggers, validate a NOT VALID key, or enforce a NOT ENFORCED one
// (ALTER CONSTRAINT ... ENFORCED, never VALIDATE, which is an error there).
struct FollowUp {
    const char *kind;  // "enable_trigger", "validate" or "enforce"
    std::string statement;
    std::string note;
    Phase phase;
};
std::vector<FollowUp> follow_ups(const ForeignKey &key);

}  // namespace fkd
