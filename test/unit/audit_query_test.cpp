#include <gtest/gtest.h>

#include "core/audit_query.hpp"

namespace {

fkd::ForeignKey key(const std::string &name, const std::string &column, const std::string &parent)
{
    fkd::ForeignKey k;
    k.name = name;
    k.child = {1, {"shop", "orders"}, 'r'};
    k.parent = {2, {"shop", parent}, 'r'};
    fkd::KeyColumn c;
    c.child_column = column;
    c.child_type = 23;
    c.parent_column = "id";
    c.parent_type = 23;
    c.equality = {{"pg_catalog", "="}, 23, {"pg_catalog", "int4"}, 23, {"pg_catalog", "int4"}};
    k.columns.push_back(c);
    k.child_index = 99;
    return k;
}

}  // namespace

TEST(KeyAuditQuery, CountsOrphansAndDistinctMissingKeysWithTheAntiJoin)
{
    fkd::ForeignKey k = key("a_fkey", "customer_id", "customers");
    EXPECT_EQ(fkd::key_audit_query(k),
              "SELECT pg_catalog.sum(g.n), pg_catalog.count(*) FROM "
              "(SELECT pg_catalog.count(*) AS n "
              "FROM ONLY shop.orders fk LEFT JOIN ONLY shop.customers pk "
              "ON (pk.id OPERATOR(pg_catalog.=) fk.customer_id) "
              "WHERE pk.id IS NULL AND (fk.customer_id IS NOT NULL) "
              "GROUP BY fk.customer_id) g");
    EXPECT_EQ(fkd::child_row_count_query(k), "SELECT pg_catalog.count(*) FROM ONLY shop.orders fk");
    k.child_blocks = fkd::ChildBlocks{{"shop", "orders"}, 0, 8};
    EXPECT_EQ(fkd::child_row_count_query(k),
              "SELECT pg_catalog.count(*) FROM (SELECT *, tableoid, ctid FROM ONLY shop.orders "
              "WHERE ctid OPERATOR(pg_catalog.>=) '(0,0)'::pg_catalog.tid "
              "AND ctid OPERATOR(pg_catalog.<) '(8,0)'::pg_catalog.tid) fk");
}

TEST(TableAuditQuery, ReadsTheChildOnceForAllItsKeys)
{
    fkd::ForeignKey a = key("a_fkey", "customer_id", "customers");
    fkd::ForeignKey b = key("b_fkey", "product_id", "products");
    EXPECT_EQ(fkd::table_audit_query({&a, &b}),
              "SELECT pg_catalog.count(*)"
              ", pg_catalog.count(*) FILTER (WHERE p1.id IS NULL AND (fk.customer_id IS NOT NULL))"
              ", pg_catalog.count(*) FILTER (WHERE p2.id IS NULL AND (fk.product_id IS NOT NULL))"
              " FROM ONLY shop.orders fk"
              " LEFT JOIN (SELECT DISTINCT pk.id FROM ONLY shop.customers pk) p1"
              " ON (p1.id OPERATOR(pg_catalog.=) fk.customer_id)"
              " LEFT JOIN (SELECT DISTINCT pk.id FROM ONLY shop.products pk) p2"
              " ON (p2.id OPERATOR(pg_catalog.=) fk.product_id)");
}

TEST(KeyAuditQuery, GroupsMissingKeysAsTheParentComparesThem)
{
    // A text child referencing a char(3) parent of a case-insensitive
    // collation: the orphans are grouped cast to bpchar, under that collation.
    fkd::ForeignKey k = key("a_fkey", "code", "codes");
    fkd::KeyColumn &c = k.columns.front();
    c.child_type = 25;
    c.parent_column = "code";
    c.parent_type = 1042;
    c.equality = {{"pg_catalog", "="}, 1042, {"pg_catalog", "bpchar"}, 1042, {"pg_catalog", "bpchar"}};
    c.comparison_collation = fkd::QualifiedName{"shop", "ci"};
    std::string query = fkd::key_audit_query(k);
    EXPECT_NE(query.find(" GROUP BY fk.code::pg_catalog.bpchar COLLATE shop.ci) g"),
              std::string::npos)
        << query;
}

TEST(TableAuditQuery, JoinsEachParentDeDuplicatedByAllItsKeyColumns)
{
    fkd::ForeignKey a = key("a_fkey", "customer_id", "customers");
    fkd::KeyColumn second = a.columns.front();
    second.child_column = "Shop";
    second.parent_column = "Shop Id";
    a.columns.push_back(second);
    a.parent.kind = 'p';
    fkd::ForeignKey b = key("b_fkey", "product_id", "products");
    std::string query = fkd::table_audit_query({&a, &b});
    EXPECT_NE(query.find(" LEFT JOIN (SELECT DISTINCT pk.id, pk.\"Shop Id\" FROM shop.customers pk) p1"
                         " ON (p1.id OPERATOR(pg_catalog.=) fk.customer_id AND"
                         " p1.\"Shop Id\" OPERATOR(pg_catalog.=) fk.\"Shop\")"),
              std::string::npos)
        << query;
}

TEST(TableAuditQuery, ScansOnceOnlyKeysWhoseParentsDistinctIsTheKeysEquality)
{
    fkd::ForeignKey k = key("a_fkey", "customer_id", "customers");
    EXPECT_TRUE(fkd::scans_once_exactly(k));
    // A unique index of record_image_ops: DISTINCT's record = would merge
    // parent keys the key's *= tells apart.
    k.columns.front().parent_default_equality = false;
    EXPECT_FALSE(fkd::scans_once_exactly(k));
}

TEST(ChildOutgrowsCacheQuery, SumsThePartitionsOrTakesTheTableAlone)
{
    fkd::ForeignKey k = key("a_fkey", "customer_id", "customers");
    k.child.name = {"shop", "Order Lines"};
    EXPECT_EQ(fkd::child_outgrows_cache_query(k),
              "SELECT COALESCE((SELECT pg_catalog.sum(pg_catalog.pg_relation_size(relid)) "
              "FROM pg_catalog.pg_partition_tree('shop.\"Order Lines\"'::pg_catalog.regclass)), "
              "pg_catalog.pg_relation_size('shop.\"Order Lines\"'::pg_catalog.regclass)) > "
              "pg_catalog.pg_size_bytes(pg_catalog.current_setting('effective_cache_size'))");
}

TEST(OrphanDiagnosis, NamesTheFirstCatalogReasonThatApplies)
{
    fkd::ForeignKey k = key("a_fkey", "customer_id", "customers");
    EXPECT_NE(fkd::orphan_diagnosis(k).find("bypassed"), std::string::npos);
    EXPECT_NE(fkd::orphan_diagnosis(k).find("amcheck"), std::string::npos);
    k.child_is_subscribed = true;
    EXPECT_NE(fkd::orphan_diagnosis(k).find("subscription"), std::string::npos);
    k.enforcement = fkd::Enforcement::Disabled;
    k.unenforced_triggers.push_back({{"shop", "orders"}, "t1"});
    k.unenforced_triggers.push_back({{"shop", "orders"}, "t2"});
    EXPECT_NE(fkd::orphan_diagnosis(k).find("disabled (ALTER TABLE ... DISABLE TRIGGER) on shop.orders:"),
              std::string::npos);
    k.validated = false;
    EXPECT_NE(fkd::orphan_diagnosis(k).find("NOT VALID"), std::string::npos);
}

TEST(KeyAdvice, MentionsAMissingIndexAndMissingEnforcement)
{
    fkd::ForeignKey k = key("a_fkey", "customer_id", "customers");
    EXPECT_FALSE(fkd::key_advice(k));
    k.child_index = 0;
    EXPECT_EQ(*fkd::key_advice(k), "No index on the child's key columns (customer_id): every DELETE "
                                   "or key UPDATE on the parent scans the child.");
    k.child_index = 99;
    k.enforcement = fkd::Enforcement::ReplicaOnly;
    EXPECT_NE(fkd::key_advice(k)->find("replica only"), std::string::npos);
}

TEST(OrphanDiagnosis, NamesACitusShardAndItsNode)
{
    fkd::ForeignKey k = key("a_fkey", "customer_id", "customers");
    k.enforcement = fkd::Enforcement::Disabled;
    k.unenforced_triggers.push_back({{"shop", "orders_102008"}, "t1", "10.0.0.2:5432"});
    k.unenforced_triggers.push_back({{"shop", "orders_102008"}, "t2", "10.0.0.2:5432"});
    EXPECT_NE(fkd::orphan_diagnosis(k).find(
                  "on shop.orders_102008 (a Citus shard, on node 10.0.0.2:5432): writes"),
              std::string::npos);
}
