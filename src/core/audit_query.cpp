#include "core/audit_query.hpp"

#include "core/sql_generator.hpp"
#include "core/sql_quoting.hpp"

#ifdef POSTGRES_H
static_assert(false, "the audit query generator is plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

std::string child_key_row(const ForeignKey &key)
{
    return "ROW(" + join_list(child_column_references(key, kChildAlias), ", ") + ")";
}

std::string unenforced_tables(const ForeignKey &key)
{
    std::vector<std::string> tables;
    for (const TriggerRef &trigger : key.unenforced_triggers) {
        std::string table = quote_qualified(trigger.table);
        if (!trigger.node.empty())
            table += " (a Citus shard, on node " + trigger.node + ")";
        if (tables.empty() || tables.back() != table)
            tables.push_back(table);
    }
    return join_list(tables, ", ");
}

}  // namespace

std::string key_audit_query(const ForeignKey &key)
{
    return "SELECT pg_catalog.count(*), pg_catalog.count(DISTINCT " + child_key_row(key) + ") " +
           orphan_from_where(key);
}

std::string child_row_count_query(const ForeignKey &key)
{
    return "SELECT pg_catalog.count(*) FROM " + relation_scan(key.child);
}

std::string child_outgrows_cache_query(const ForeignKey &key)
{
    // pg_partition_tree() lists a partitioned table and its partitions, and
    // nothing for a table outside any partition tree.
    std::string child = quote_literal(quote_qualified(key.child.name)) + "::pg_catalog.regclass";
    return "SELECT COALESCE((SELECT pg_catalog.sum(pg_catalog.pg_relation_size(relid)) "
           "FROM pg_catalog.pg_partition_tree(" + child + ")), pg_catalog.pg_relation_size(" +
           child + ")) > pg_catalog.pg_size_bytes(pg_catalog.current_setting('effective_cache_size'))";
}

std::string table_audit_query(const std::vector<const ForeignKey *> &keys)
{
    std::string counts, joins;
    for (size_t n = 0; n < keys.size(); ++n) {
        const ForeignKey &key = *keys[n];
        std::string parent = "p" + std::to_string(n + 1);
        counts += ", pg_catalog.count(*) FILTER (WHERE " + outer_join_orphan_test(key, parent) + ")";
        joins += " LEFT JOIN " + relation_scan(key.parent) + " " + parent + " ON (" +
                 key_equality(key, parent, kChildAlias) + ")";
    }
    return "SELECT pg_catalog.count(*)" + counts + " FROM " + relation_scan(keys.front()->child) +
           " " + std::string(kChildAlias) + joins;
}

std::string orphan_diagnosis(const ForeignKey &key)
{
    if (!key.validated)
        return "the key was added NOT VALID and never validated: rows that were there before it "
               "were never checked";
    switch (key.enforcement) {
    case Enforcement::Disabled:
        return "the key's RI triggers are disabled (ALTER TABLE ... DISABLE TRIGGER) on " +
               unenforced_tables(key) + ": writes are not checked";
    case Enforcement::ReplicaOnly:
        return "the key's RI triggers on " + unenforced_tables(key) +
               " fire only under session_replication_role = replica: ordinary writes are not "
               "checked";
    case Enforcement::MissingTriggers:
        return "a leaf table of the child lacks the key's check trigger (a PostgreSQL bug "
               "before 15.9, after DETACH PARTITION): writes to it are not checked";
    case Enforcement::Enabled:
        break;
    }
    if (key.child_is_subscribed)
        return "the child is a logical-replication subscription target: the apply worker runs "
               "with session_replication_role = replica, so RI triggers do not fire for "
               "replicated rows";
    return "the key is valid and enforced now, so enforcement was bypassed earlier "
           "(session_replication_role = replica, a load or restore with triggers disabled), or "
           "the parent's key index may be corrupt (check it with amcheck: "
           "bt_index_parent_check)";
}

std::optional<std::string> key_advice(const ForeignKey &key)
{
    std::string advice;
    if (key.enforcement != Enforcement::Enabled)
        advice = "PostgreSQL does not enforce the key now (" +
                 std::string(enforcement_text(key.enforcement)) +
                 "): new orphans can get in; fk_repairs() gives the statements that enforce it "
                 "again. ";
    if (key.child_index == 0)
        advice += "No index on the child's key columns (" + child_column_list(key) +
                  "): every DELETE or key UPDATE on the parent scans the child.";
    if (advice.empty())
        return std::nullopt;
    if (advice.back() == ' ')
        advice.pop_back();
    return advice;
}

}  // namespace fkd
