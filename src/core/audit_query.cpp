#include "core/audit_query.hpp"

#include "core/sql_generator.hpp"
#include "core/sql_quoting.hpp"

#ifdef POSTGRES_H
static_assert(false, "the audit query generator is plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

// The child's key as the parent compares it; for a temporal key its scalar
// columns only: the missing keys counted are the parents that are missing,
// whatever periods their children need.
std::vector<std::string> missing_key_values(const ForeignKey &key)
{
    std::vector<std::string> values;
    for (const auto &column : key.columns)
        if (!is_period(key, column))
            values.push_back(compared_child_value(column, kChildAlias));
    return values;
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
    // The orphans grouped by their keys as the parent compares them, not by
    // the child's values: text 'xy' and 'xy ' are one char(3) key, numeric
    // 0.1 and 0.1000 one float8 key, Blue and BLUE one key of a case-
    // insensitive parent column, and citext hello and HELLO two text keys.
    return "SELECT pg_catalog.sum(g.n), pg_catalog.count(*) FROM (SELECT pg_catalog.count(*) AS n " +
           orphan_from_where(key) + " GROUP BY " +
           join_list(missing_key_values(key), ", ") + ") g";
}

std::string child_row_count_query(const ForeignKey &key)
{
    return "SELECT pg_catalog.count(*) FROM " + child_source(key);
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

std::string row_estimate_query(const Relation &table)
{
    std::string child = quote_literal(quote_qualified(table.name)) + "::pg_catalog.regclass";
    // reltuples is -1 for a table never vacuumed or analyzed: no estimate.
    return "SELECT CASE WHEN pg_catalog.bool_and(c.reltuples >= 0) "
           "THEN pg_catalog.sum(c.reltuples)::pg_catalog.int8 END, "
           "pg_catalog.sum(c.relpages)::pg_catalog.int8 "
           "FROM pg_catalog.pg_class c WHERE (c.oid = " + child + " AND c.relkind <> 'p') "
           "OR c.oid IN (SELECT relid FROM pg_catalog.pg_partition_tree(" + child +
           ") WHERE isleaf)";
}

namespace {

// The parent's keys, each once: "(SELECT DISTINCT pk.x, ... FROM parent pk)",
// so that a child row meets at most one parent row per key and every child
// row leaves the joins once. A unique index whose collation is not its
// column's (PostgreSQL 15 accepts one) lets a case-insensitive column hold
// 'a' and 'A', both equal to a child's 'a' under the column's collation,
// which decides the key's comparison (and DISTINCT's). DISTINCT compares
// with the parent type's default equality; the key, with conpfeqop, an
// equality of the unique index's btree operator family, which is
// transitive: two parent values equal to one child value are equal to each
// other by the index's own equality (conppeqop), which must be the type's
// default one, as it is for the default operator classes (and
// text_pattern_ops, varchar_ops): a key whose unique index has another
// equality (record_image_ops, a user's operator class) could still fan out,
// so scans_once_exactly() keeps it out of the one scan. The residual
// assumption is PostgreSQL's own: a btree family's equality is transitive.
std::string distinct_parent_keys(const ForeignKey &key)
{
    std::vector<std::string> columns;
    for (const auto &column : key.columns)
        columns.push_back(column_reference(kParentAlias, column.parent_column));
    return "(SELECT DISTINCT " + join_list(columns, ", ") + " FROM " + relation_scan(key.parent) +
           " " + std::string(kParentAlias) + ")";
}

}  // namespace

std::string table_audit_query(const std::vector<const ForeignKey *> &keys)
{
    // No temporal key: outer_join_orphan_test refuses them.
    std::string counts, joins;
    for (size_t n = 0; n < keys.size(); ++n) {
        const ForeignKey &key = *keys[n];
        std::string parent = "p" + std::to_string(n + 1);
        counts += ", pg_catalog.count(*) FILTER (WHERE " + outer_join_orphan_test(key, parent) + ")";
        joins += " LEFT JOIN " + distinct_parent_keys(key) + " " + parent + " ON (" +
                 key_equality(key, parent, kChildAlias) + ")";
    }
    return "SELECT pg_catalog.count(*)" + counts + " FROM " + child_source(*keys.front()) + joins;
}

bool scans_once_exactly(const ForeignKey &key)
{
    for (const auto &column : key.columns)
        if (!column.parent_default_equality)
            return false;
    return true;
}

std::string orphan_diagnosis(const ForeignKey &key)
{
    if (key.enforcement == Enforcement::NotEnforced)
        return "the key is declared NOT ENFORCED: PostgreSQL never checks it, neither the rows "
               "that were there when it was declared nor any written since; ALTER TABLE ... "
               "ALTER CONSTRAINT ... ENFORCED checks them all and fails on the first orphan";
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
    case Enforcement::NotEnforced:
    case Enforcement::Enabled:
        break;
    }
    if (key.child_is_subscribed)
        return "the child is a logical-replication subscription target: the apply worker runs "
               "with session_replication_role = replica, so RI triggers do not fire for "
               "replicated rows";
    if (key.temporal)
        // 18.3's VALIDATE CONSTRAINT, ALTER CONSTRAINT ... ENFORCED and ATTACH
        // PARTITION test overlap, not coverage (measured); amcheck has no
        // check for the GiST index behind a WITHOUT OVERLAPS key.
        return "the key is valid and enforced now, so its orphans got in when it was validated "
               "or enforced (PostgreSQL 18's VALIDATE CONSTRAINT, ALTER CONSTRAINT ... ENFORCED "
               "and ATTACH PARTITION accept a row whose period overlaps its parents' without "
               "being covered by them; only the insert and update trigger tests coverage), or "
               "enforcement was bypassed (session_replication_role = replica, a load or restore "
               "with triggers disabled), or the parent's GiST key index may be corrupt (REINDEX "
               "it: amcheck cannot check a GiST index)";
    return "the key is valid and enforced now, so enforcement was bypassed earlier "
           "(session_replication_role = replica, a load or restore with triggers disabled), or "
           "the parent's key index may be corrupt (check it with amcheck: "
           "bt_index_parent_check)";
}

std::optional<std::string> key_advice(const ForeignKey &key)
{
    std::string advice;
    if (key.enforcement == Enforcement::NotEnforced)
        advice = "The key is declared NOT ENFORCED: new orphans can get in unchecked; once its "
                 "orphans are repaired, fk_repairs() gives the ALTER CONSTRAINT ... ENFORCED "
                 "that makes PostgreSQL enforce it. ";
    else if (key.enforcement != Enforcement::Enabled)
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
