// Citus, when the citus extension is installed in the database: which tables
// are Citus tables (pg_dist_partition), which are shards, whether this node
// is the coordinator, and the RI trigger state that lives only in the shards.
// Everything is read by catalog queries, each sent only once the extension
// is known to be there: fkdoctor has no link-time dependency on Citus, and
// without it nothing here changes what the other layers do. Runs inside an
// SpiSession.
#pragma once

#include <functional>
#include <string>

#include "server/catalog_reader.hpp"

namespace fkd {

struct CitusNode {
    bool installed = false;
    bool coordinator = false;  // pg_dist_local_group.groupid = 0
};

// Whether Citus is installed here, and what this node is.
CitusNode citus_node();

// The condition on the key aliased c (pg_constraint) for a whole-database
// call, or "" without Citus. On the coordinator: every key but the shards'
// (the coordinator holds a reference table's copy and Citus local tables'
// shards; their keys are checked through their Citus tables). On a worker:
// the keys of the shards it holds, not those of the Citus tables' shells,
// which the coordinator checks.
std::string citus_whole_database_condition(const CitusNode &node);

// Runs work, which reads the catalogs, with Citus's shards visible: Citus
// hides them from queries on pg_class (citus.override_table_visibility), so
// that a shard named, or a worker's shards, would have no keys.
void with_shards_visible(const CitusNode &node, const std::function<void()> &work);

// Marks the keys' Citus tables (Relation::citus) and adds what the shards'
// RI triggers say to each key of a Citus table: a trigger disabled or
// replica-only on some shard (on any node) makes the key's enforcement so,
// and is listed with its shard and node.
void load_citus_tables(const CitusNode &node, KeyList &keys);

}  // namespace fkd
