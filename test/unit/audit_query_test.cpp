#include <gtest/gtest.h>

#include "audit_query.hpp"

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

TEST(TableAuditQuery, ScansTheChildOnceForAllItsKeys)
{
    fkd::ForeignKey a = key("a_fkey", "customer_id", "customers");
    fkd::ForeignKey b = key("b_fkey", "product_id", "products");
    EXPECT_EQ(fkd::table_audit_query({&a, &b}),
              "SELECT pg_catalog.sum(n)"
              ", pg_catalog.sum(n) FILTER (WHERE o1), pg_catalog.count(DISTINCT k1)"
              ", pg_catalog.sum(n) FILTER (WHERE o2), pg_catalog.count(DISTINCT k2)"
              " FROM (SELECT pg_catalog.count(*) AS n"
              ", p1.id IS NULL AND (fk.customer_id IS NOT NULL) AS o1"
              ", CASE WHEN p1.id IS NULL AND (fk.customer_id IS NOT NULL) THEN ROW(fk.customer_id) END AS k1"
              ", p2.id IS NULL AND (fk.product_id IS NOT NULL) AS o2"
              ", CASE WHEN p2.id IS NULL AND (fk.product_id IS NOT NULL) THEN ROW(fk.product_id) END AS k2"
              " FROM ONLY shop.orders fk"
              " LEFT JOIN ONLY shop.customers p1 ON (p1.id OPERATOR(pg_catalog.=) fk.customer_id)"
              " LEFT JOIN ONLY shop.products p2 ON (p2.id OPERATOR(pg_catalog.=) fk.product_id)"
              " GROUP BY o1, k1, o2, k2) grouped");
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
