// The catalog model: what fkdoctor knows about a foreign key, read from
// pg_constraint and friends. Plain C++, no PostgreSQL headers, so the SQL
// generator built on it can be unit-tested without a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>

namespace fkd {

using Oid = std::uint32_t;

struct QualifiedName {
    std::string schema;
    std::string name;
};

// The role a generated statement on a table runs as: the table's owner,
// when the caller is not that owner and may SET ROLE to it; then caller,
// the role to go back to (nothing: RESET ROLE, back to the session's).
struct StatementRole {
    std::string owner;
    std::optional<std::string> caller;
};

// What Citus makes of a table (pg_dist_partition), when Citus is installed.
// A Citus table's rows live in its shards, on the workers (or, for a Citus
// local table, in one shard on the coordinator); the table itself is an
// empty shell, and a query on it is a distributed query.
enum class CitusTable {
    None,         // a plain PostgreSQL table (a shard on a worker is one too)
    Distributed,  // hash-distributed by a column: one shard per hash range
    SingleShard,  // distributed without a distribution column: one shard
    Reference,    // one shard, a copy (placement) on every node
    Local,        // a Citus local table: one shard, on the coordinator
};

struct Relation {
    Oid oid = 0;
    QualifiedName name;
    char kind = 'r';  // pg_class.relkind
    Oid owner = 0;
    std::optional<StatementRole> statement_role;
    CitusTable citus = CitusTable::None;

    bool is_partitioned() const { return kind == 'p'; }
    bool is_citus_table() const { return citus != CitusTable::None; }
};

// The operator PostgreSQL's RI check compares a key column with
// (pg_constraint.conpfeqop): referenced column on the left, referencing on the right.
struct EqualityOperator {
    QualifiedName name;
    Oid left_type = 0;
    QualifiedName left_type_name;
    Oid right_type = 0;
    QualifiedName right_type_name;
};

// One column pair of a key, in conkey/confkey order.
struct KeyColumn {
    std::string child_column;
    Oid child_type = 0;
    bool child_not_null = false;  // attnotnull: writes of NULL are refused
    // The NOT NULL constraint is NOT VALID (PostgreSQL 18): new rows are
    // checked, but stored rows may still hold NULLs.
    bool child_not_null_unvalidated = false;
    std::string parent_column;
    Oid parent_type = 0;
    EqualityOperator equality;
    // Set when the two columns' collations differ: the referenced column's
    // collation, which then decides the comparison.
    std::optional<QualifiedName> comparison_collation;
    // The two columns' collations differ and one of them is nondeterministic:
    // a key PostgreSQL 18 refuses to create, so dump/restore and pg_upgrade
    // to 18 fail on it (keys made before 18 can have it).
    bool collations_refused_by_18 = false;
    // Neither column's collation is nondeterministic: equal text is equal
    // bytes (always true of types without a collation).
    bool compared_by_bytes = false;
    // The column's type is composite (or a domain over one): its IS NULL
    // tests every field, while the RI trigger tests the datum itself.
    bool child_composite = false;
    bool parent_composite = false;
    // The parent type's default equality (what DISTINCT and GROUP BY use)
    // is the key's own equality of two parent values (conppeqop). False for
    // a unique index of another operator class's equality (record_image_ops,
    // a user's class).
    bool parent_default_equality = true;
    // For repairs: the child column's default expression (its own, or its
    // type's), both columns' types as SQL with their typmods (schema-
    // qualified where a name could be shadowed), and whether an INSERT may
    // set the parent column (not generated, not GENERATED ALWAYS AS IDENTITY).
    std::optional<std::string> child_default;
    std::string child_type_name;
    std::string parent_type_name;
    bool parent_insertable = true;
    // The default gives each row another value (nextval, random, identity).
    bool child_default_volatile = false;
    bool child_generated = false;
    // ON DELETE SET NULL / SET DEFAULT sets this column: all of them, unless
    // the key names some (ON DELETE SET NULL (col), PostgreSQL 15).
    bool set_by_on_delete = true;
    // The parent column normally takes its values from a sequence (serial,
    // identity BY DEFAULT): inserted keys may collide with future ones.
    bool parent_from_sequence = false;
};

// An RI trigger of the key that does not fire in an ordinary session.
struct TriggerRef {
    QualifiedName table;
    std::string name;
    // A Citus shard's trigger: the node (host:port) whose shard it is on,
    // where a statement about it has to run. Empty: this database's table.
    std::string node;
};

// The part of a child a check reads when not all of it: the rows in blocks
// [first_block, end_block) of one heap, the child itself or one of its leaf
// partitions (a budgeted audit reads a table range by range).
struct ChildBlocks {
    QualifiedName heap;
    std::int64_t first_block = 0;
    std::int64_t end_block = 0;
};

enum class MatchType { Simple, Full };
enum class Action { NoAction, Restrict, Cascade, SetNull, SetDefault };

// Whether the key's RI triggers fire in an ordinary session; NotEnforced:
// the key is declared NOT ENFORCED (PostgreSQL 18, conenforced = false), so
// it has no RI triggers by design and is never validated.
enum class Enforcement { Enabled, Disabled, ReplicaOnly, MissingTriggers, NotEnforced };

struct ForeignKey {
    Oid oid = 0;
    std::string name;
    // A key not declared yet (fk_check_key): its orphans have no constraint name.
    bool declared = true;
    Relation child;
    Relation parent;
    MatchType match = MatchType::Simple;
    Action on_update = Action::NoAction;
    Action on_delete = Action::NoAction;
    bool validated = true;
    bool deferrable = false;
    bool initially_deferred = false;
    Enforcement enforcement = Enforcement::Enabled;
    // A temporal key (PostgreSQL 18, conperiod): its last column pair is the
    // PERIOD, a range or multirange compared by && in conpfeqop, and a child
    // row needs its period covered by the union of its parents' periods.
    bool temporal = false;
    Oid child_index = 0;  // an index whose leading columns are the key, or 0
    boost::container::small_vector<KeyColumn, 2> columns;
    std::vector<std::string> child_primary_key;  // empty: the child has none
    std::vector<TriggerRef> unenforced_triggers;  // disabled or replica-only
    // The parent is a table whose other NOT NULL columns all fill themselves
    // in, so inserting just the key columns can make a valid row.
    bool parent_accepts_bare_keys = false;
    // The child, or a partition of it, receives rows from a subscription.
    bool child_is_subscribed = false;
    // Some foreign key references the child table.
    bool child_is_referenced = false;
    // Nothing: a check reads every row of the child (sql_generator's child_scan).
    std::optional<ChildBlocks> child_blocks;

    // Either table is a Citus table: the key holds between shards, and every
    // query about it is a distributed query, pushed down to the shards.
    bool is_distributed() const { return child.is_citus_table() || parent.is_citus_table(); }

    // The caller's access, as the catalogs tell it.
    bool child_readable = true;
    bool parent_readable = true;
    bool child_schema_usable = true;
    bool parent_schema_usable = true;
    bool child_row_security = false;   // a policy would filter the child's rows
    bool parent_row_security = false;  // ... or the parent's

    // The access of the role that runs the check, the child's owner
    // (run_as_owner.hpp): it reads the parent's key columns, and no policy
    // of the parent's may filter what it reads.
    bool checker_reads_parent = true;
    bool checker_under_parent_policy = false;
};

// Catalog codes (pg_constraint.confmatchtype, confupdtype/confdeltype, and
// fkdoctor's own enforcement code) to the model, and the model to SQL words.
MatchType match_type_from_code(char code);
Action action_from_code(char code);
const char *match_type_sql(MatchType match);
const char *action_sql(Action action);
const char *enforcement_text(Enforcement enforcement);
Enforcement enforcement_from_text(std::string_view text);

// The key's referencing columns, in key order.
std::vector<std::string> child_columns(const ForeignKey &key);

// The PERIOD column pair of a temporal key: its last one.
const KeyColumn &period_column(const ForeignKey &key);

// Whether the column is a temporal key's PERIOD column.
bool is_period(const ForeignKey &key, const KeyColumn &column);

// Why the caller cannot check the key (no privilege to read a side of it, or a
// row-level security policy that would hide rows), or nothing if it can.
std::optional<std::string> reason_not_checkable(const ForeignKey &key);

}  // namespace fkd
