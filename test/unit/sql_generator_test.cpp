#include <gtest/gtest.h>

#include "core/sql_generator.hpp"

namespace {

fkd::KeyColumn int_column(const std::string &child, const std::string &parent)
{
    fkd::KeyColumn column;
    column.child_column = child;
    column.child_type = 23;
    column.parent_column = parent;
    column.parent_type = 23;
    column.equality = {{"pg_catalog", "="}, 23, {"pg_catalog", "int4"}, 23, {"pg_catalog", "int4"}};
    return column;
}

fkd::ForeignKey orders_key()
{
    fkd::ForeignKey key;
    key.oid = 100;
    key.name = "orders_customer_id_fkey";
    key.child = {200, {"shop", "orders"}, 'r'};
    key.parent = {300, {"shop", "customers"}, 'r'};
    key.columns.push_back(int_column("customer_id", "id"));
    key.child_primary_key = {"order_id"};
    return key;
}

}  // namespace

TEST(RelationScan, UsesOnlyExceptForPartitionedTables)
{
    EXPECT_EQ(fkd::relation_scan({1, {"s", "t"}, 'r'}), "ONLY s.t");
    EXPECT_EQ(fkd::relation_scan({1, {"s", "T"}, 'p'}), "s.\"T\"");
}

TEST(KeyEquality, ComparesParentToChildWithTheConstraintsOperator)
{
    EXPECT_EQ(fkd::key_equality(orders_key(), "pk", "fk"),
              "pk.id OPERATOR(pg_catalog.=) fk.customer_id");
}

TEST(KeyEquality, CastsOperandsWhoseTypeDiffersFromTheOperators)
{
    fkd::ForeignKey key = orders_key();
    fkd::KeyColumn &column = key.columns.front();
    column.child_type = 1043;  // varchar child referencing text through texteq
    column.parent_type = 25;
    column.equality = {{"pg_catalog", "="}, 25, {"pg_catalog", "text"}, 25, {"pg_catalog", "text"}};
    EXPECT_EQ(fkd::key_equality(key, "pk", "fk"),
              "pk.id OPERATOR(pg_catalog.=) fk.customer_id::pg_catalog.text");
}

TEST(KeyEquality, AddsTheReferencedCollationWhenCollationsDiffer)
{
    fkd::ForeignKey key = orders_key();
    key.columns.front().comparison_collation = fkd::QualifiedName{"public", "Case Insensitive"};
    EXPECT_EQ(fkd::key_equality(key, "pk", "fk"),
              "pk.id OPERATOR(pg_catalog.=) fk.customer_id COLLATE public.\"Case Insensitive\"");
}

TEST(KeyEquality, JoinsCompositeKeysInConstraintOrder)
{
    fkd::ForeignKey key = orders_key();
    key.columns.push_back(int_column("Line No", "line_no"));
    EXPECT_EQ(fkd::key_equality(key, "p", "c"),
              "p.id OPERATOR(pg_catalog.=) c.customer_id AND "
              "p.line_no OPERATOR(pg_catalog.=) c.\"Line No\"");
}

TEST(KeyIsChecked, MatchSimpleNeedsEveryColumnMatchFullAnyColumn)
{
    fkd::ForeignKey key = orders_key();
    key.columns.push_back(int_column("b", "y"));
    EXPECT_EQ(fkd::key_is_checked(key, "fk"), "(fk.customer_id IS NOT NULL AND fk.b IS NOT NULL)");
    key.match = fkd::MatchType::Full;
    EXPECT_EQ(fkd::key_is_checked(key, "fk"), "(fk.customer_id IS NOT NULL OR fk.b IS NOT NULL)");
}

TEST(KeyIsChecked, TestsACompositeColumnsDatumNotItsFields)
{
    // ROW(NULL, 9) IS NOT NULL is false; the RI trigger checks it all the
    // same. Scalar columns keep their plain IS NOT NULL.
    fkd::ForeignKey key = orders_key();
    key.columns.front().child_composite = true;
    key.columns.push_back(int_column("b", "y"));
    EXPECT_EQ(fkd::key_is_checked(key, "fk"),
              "(pg_catalog.num_nulls(fk.customer_id) OPERATOR(pg_catalog.=) 0 AND "
              "fk.b IS NOT NULL)");
    EXPECT_EQ(fkd::key_is_complete(key, "fk"), fkd::key_is_checked(key, "fk"));
    key.match = fkd::MatchType::Full;
    EXPECT_EQ(fkd::key_is_checked(key, "fk"),
              "(pg_catalog.num_nulls(fk.customer_id) OPERATOR(pg_catalog.=) 0 OR "
              "fk.b IS NOT NULL)");
}

TEST(OrphanFromWhere, FindsNoParentByTheDatumOfACompositeParentColumn)
{
    // A parent ROW(NULL, NULL) matches a child ROW(NULL, NULL), and IS NULL
    // is true of it: the join's "no parent" test must be the datum's.
    fkd::ForeignKey key = orders_key();
    key.columns.front().child_composite = true;
    key.columns.front().parent_composite = true;
    EXPECT_EQ(fkd::orphan_from_where(key),
              "FROM ONLY shop.orders fk LEFT JOIN ONLY shop.customers pk "
              "ON (pk.id OPERATOR(pg_catalog.=) fk.customer_id) "
              "WHERE pg_catalog.num_nulls(pk.id) OPERATOR(pg_catalog.=) 1 AND "
              "(pg_catalog.num_nulls(fk.customer_id) OPERATOR(pg_catalog.=) 0)");
    EXPECT_NE(fkd::orphan_count_and_sample_query(key).find(
                  "CASE WHEN pg_catalog.num_nulls(fk.customer_id) OPERATOR(pg_catalog.=) 0 THEN"),
              std::string::npos);
}

TEST(ComparedChildValue, IsTheChildOperandOfKeyEquality)
{
    fkd::ForeignKey key = orders_key();
    key.columns.front().child_type = 25;  // text child referencing char(3) through bpchareq
    key.columns.front().parent_type = 1042;
    key.columns.front().equality = {{"pg_catalog", "="}, 1042, {"pg_catalog", "bpchar"},
                                    1042, {"pg_catalog", "bpchar"}};
    key.columns.push_back(int_column("b", "y"));
    key.columns.back().comparison_collation = fkd::QualifiedName{"public", "ci"};
    EXPECT_EQ(fkd::compared_child_value(key.columns[0], "fk"), "fk.customer_id::pg_catalog.bpchar");
    EXPECT_EQ(fkd::compared_child_value(key.columns[1], "fk"), "fk.b COLLATE public.ci");
    EXPECT_EQ(fkd::key_equality(key, "pk", "fk"),
              "pk.id OPERATOR(pg_catalog.=) fk.customer_id::pg_catalog.bpchar AND "
              "pk.y OPERATOR(pg_catalog.=) fk.b COLLATE public.ci");
}

TEST(OrphanFromWhere, IsPostgresRiInitialCheckQuery)
{
    EXPECT_EQ(fkd::orphan_from_where(orders_key()),
              "FROM ONLY shop.orders fk LEFT JOIN ONLY shop.customers pk "
              "ON (pk.id OPERATOR(pg_catalog.=) fk.customer_id) "
              "WHERE pk.id IS NULL AND (fk.customer_id IS NOT NULL)");
}

TEST(ChildSource, ReadsTheWholeChildUnlessGivenBlocksOfOneHeap)
{
    fkd::ForeignKey key = orders_key();
    EXPECT_EQ(fkd::child_source(key), "ONLY shop.orders fk");
    key.child.kind = 'p';
    key.child_blocks = fkd::ChildBlocks{{"shop", "orders 2026"}, 128, 4294967295};
    const std::string blocks =
        "(SELECT *, tableoid, ctid FROM ONLY shop.\"orders 2026\" "
        "WHERE ctid OPERATOR(pg_catalog.>=) '(128,0)'::pg_catalog.tid "
        "AND ctid OPERATOR(pg_catalog.<) '(4294967295,0)'::pg_catalog.tid) fk";
    EXPECT_EQ(fkd::child_source(key), blocks);
    // Every query of a check reads the child through it.
    EXPECT_EQ(fkd::orphan_from_where(key),
              "FROM " + blocks + " LEFT JOIN ONLY shop.customers pk "
              "ON (pk.id OPERATOR(pg_catalog.=) fk.customer_id) "
              "WHERE pk.id IS NULL AND (fk.customer_id IS NOT NULL)");
    EXPECT_EQ(fkd::child_keys_query({&key}, fkd::RowLocation::Included),
              "SELECT fk.tableoid, fk.ctid, fk.customer_id FROM " + blocks);
}

TEST(OrphanRowsQuery, ReturnsTheFunctionsColumns)
{
    std::string query = fkd::orphan_rows_query(orders_key(), std::nullopt);
    EXPECT_EQ(query,
              "SELECT 'orders_customer_id_fkey'::pg_catalog.name, fk.tableoid::pg_catalog.regclass, "
              "'shop.customers'::pg_catalog.regclass, fk.ctid, "
              "pg_catalog.jsonb_build_object('order_id', fk.order_id), "
              "pg_catalog.jsonb_build_object('customer_id', fk.customer_id) " +
                  fkd::orphan_from_where(orders_key()));
}

TEST(OrphanRowsQuery, LimitsRowsAndHandlesAChildWithoutPrimaryKey)
{
    fkd::ForeignKey key = orders_key();
    key.child_primary_key.clear();
    std::string query = fkd::orphan_rows_query(key, 5);
    EXPECT_NE(query.find("NULL::pg_catalog.jsonb"), std::string::npos);
    EXPECT_EQ(query.substr(query.size() - 8), " LIMIT 5");
}

TEST(OrphanRowsQuery, QuotesHostileNamesEverywhere)
{
    fkd::ForeignKey key = orders_key();
    key.name = "it's; DROP TABLE x";
    key.child.name = {"we\"ird", "Child Table"};
    key.columns.front().child_column = "a'b\"c";
    std::string query = fkd::orphan_rows_query(key, std::nullopt);
    EXPECT_NE(query.find("'it''s; DROP TABLE x'::pg_catalog.name"), std::string::npos);
    EXPECT_NE(query.find("ONLY \"we\"\"ird\".\"Child Table\" fk"), std::string::npos);
    EXPECT_NE(query.find("'a''b\"c', fk.\"a'b\"\"c\""), std::string::npos);
}

TEST(OrphanCountAndSampleQuery, CountsAndSamplesInOneScanOfTheOrphanQuery)
{
    fkd::ForeignKey key = orders_key();
    key.columns.push_back(int_column("Line", "line"));
    EXPECT_EQ(fkd::orphan_count_and_sample_query(key),
              "SELECT s.orphans, s.sample[1], s.sample[2] FROM (SELECT pg_catalog.count(*) AS "
              "orphans, pg_catalog.min(ARRAY[CASE WHEN fk.customer_id IS NOT NULL THEN "
              "pg_catalog.format('%s', fk.customer_id) COLLATE pg_catalog.\"C\" END, CASE WHEN "
              "fk.\"Line\" IS NOT NULL THEN pg_catalog.format('%s', fk.\"Line\") COLLATE "
              "pg_catalog.\"C\" END]) AS sample " +
                  fkd::orphan_from_where(key) + ") s");
}

TEST(KeysInMemoryQueries, ReadTheParentsCompleteKeysUpToALimit)
{
    fkd::ForeignKey key = orders_key();
    EXPECT_EQ(fkd::parent_keys_query(key, 1001),
              "SELECT pk.id FROM ONLY shop.customers pk WHERE pk.id IS NOT NULL LIMIT 1001");
    key.columns.push_back(int_column("shop_id", "Shop"));
    EXPECT_EQ(fkd::parent_keys_query(key, 5),
              "SELECT pk.id, pk.\"Shop\" FROM ONLY shop.customers pk "
              "WHERE pk.id IS NOT NULL AND pk.\"Shop\" IS NOT NULL LIMIT 5");
}

TEST(KeysInMemoryQueries, ReadAParentsDenseKeysIntoABitmapInParallel)
{
    fkd::ForeignKey key = orders_key();
    key.columns.front().parent_column = "Code";
    EXPECT_EQ(fkd::parent_key_bitmap_query(key, "fkdoctor_internal", -5, 10),
              "SELECT fkdoctor_internal.fk_key_bitmap(-5, 10, pk.\"Code\") FROM ONLY shop.customers pk");
}

TEST(KeysInMemoryQueries, ReadEveryKeyOfTheChildInOneScanWithOrWithoutTheRowsLocation)
{
    fkd::ForeignKey first = orders_key();
    fkd::ForeignKey second = orders_key();
    second.columns.front().child_column = "Seller Id";
    first.child.kind = second.child.kind = 'p';
    EXPECT_EQ(fkd::child_keys_query({&first, &second}, fkd::RowLocation::Omitted),
              "SELECT fk.customer_id, fk.\"Seller Id\" FROM shop.orders fk");
    EXPECT_EQ(fkd::child_keys_query({&first}, fkd::RowLocation::Included),
              "SELECT fk.tableoid, fk.ctid, fk.customer_id FROM shop.orders fk");
}

TEST(OrphanRowsAtQuery, ReadsTheFunctionsColumnsByCtidFromOneTable)
{
    fkd::ForeignKey key = orders_key();
    key.child.kind = 'p';
    fkd::Relation partition{201, {"shop", "orders 2026"}, 'r'};
    EXPECT_EQ(fkd::orphan_rows_at_query(key, partition, {{0, 1}, {4294967295u, 7}}),
              "SELECT 'orders_customer_id_fkey'::pg_catalog.name, fk.tableoid::pg_catalog.regclass, "
              "'shop.customers'::pg_catalog.regclass, fk.ctid, "
              "pg_catalog.jsonb_build_object('order_id', fk.order_id), "
              "pg_catalog.jsonb_build_object('customer_id', fk.customer_id) "
              "FROM ONLY shop.\"orders 2026\" fk "
              "WHERE fk.ctid OPERATOR(pg_catalog.=) "
              "ANY ('{\"(0,1)\",\"(4294967295,7)\"}'::pg_catalog.tid[])");
}

namespace {

fkd::ForeignKey distributed_orders_key()
{
    fkd::ForeignKey key = orders_key();
    key.child.citus = fkd::CitusTable::Distributed;
    key.parent.citus = fkd::CitusTable::Distributed;
    return key;
}

}  // namespace

TEST(DistributedOrphanRows, PushesTheAntiJoinDownAndLocatesEachRowOnTheCoordinator)
{
    std::string query = fkd::distributed_orphan_rows_query(distributed_orders_key(), 10,
                                                           fkd::OrphanColumns::Located);
    // The anti-join, with the name of the shard each row was read from (as
    // the worker writes it) and the limit, in a CTE Citus plans as a
    // distributed subplan.
    EXPECT_EQ(query.rfind("WITH o AS MATERIALIZED (SELECT fk.ctid AS child_ctid, "
                          "fk.tableoid::pg_catalog.regclass::pg_catalog.text AS shard_name, "
                          "pg_catalog.jsonb_build_object('order_id', fk.order_id) AS child_key, "
                          "pg_catalog.jsonb_build_object('customer_id', fk.customer_id) AS "
                          "missing_key FROM ONLY shop.orders fk LEFT JOIN ONLY shop.customers pk ON (",
                          0),
              0u);
    // The shard's table (the child, or a partition of it), found on the
    // coordinator from the shard id at the end of the shard's name.
    EXPECT_NE(query.find(" LIMIT 10) SELECT 'orders_customer_id_fkey'::pg_catalog.name, "
                         "COALESCE(w.logicalrelid, 'shop.orders'::pg_catalog.regclass), "
                         "'shop.customers'::pg_catalog.regclass, "
                         "CASE WHEN w.node IS NOT NULL THEN o.child_ctid END"),
              std::string::npos);
    EXPECT_NE(query.find("WHERE s.shardid OPERATOR(pg_catalog.=) pg_catalog.substring(o.shard_name, "
                         "'_([0-9]+)\"?$')::pg_catalog.int8) w ON true"),
              std::string::npos);
    EXPECT_NE(query.find(", w.shardid, w.node FROM o LEFT JOIN LATERAL"), std::string::npos);
}

TEST(DistributedOrphanRows, AReferenceTablesOnlyShardAndTheSixColumnsOf02)
{
    fkd::ForeignKey key = distributed_orders_key();
    key.child.citus = fkd::CitusTable::Reference;
    std::string query =
        fkd::distributed_orphan_rows_query(key, std::nullopt, fkd::OrphanColumns::Basic);
    EXPECT_NE(query.find("AS shard_name"), std::string::npos);
    EXPECT_EQ(query.find("w.shardid, w.node"), std::string::npos);
    EXPECT_EQ(query.find("LIMIT"), std::string::npos);
}

TEST(DistributedOrphanRows, APlainChildOfACitusParentIsReportedAsItself)
{
    fkd::ForeignKey key = distributed_orders_key();
    key.child.citus = fkd::CitusTable::None;
    std::string query =
        fkd::distributed_orphan_rows_query(key, std::nullopt, fkd::OrphanColumns::Located);
    EXPECT_EQ(query.find("tableoid"), std::string::npos);
    EXPECT_NE(query.find("'shop.orders'::pg_catalog.regclass, 'shop.customers'::pg_catalog.regclass, "
                         "o.child_ctid, o.child_key, o.missing_key, NULL::pg_catalog.int8, "
                         "NULL::pg_catalog.text FROM o"),
              std::string::npos);
}

TEST(DistributedOrphanSample, TakesTheLeastTextNotTheLeastArray)
{
    std::string query = fkd::distributed_orphan_count_and_sample_query(distributed_orders_key());
    EXPECT_EQ(query.rfind("SELECT s.orphans, (s.sample::pg_catalog.text[])[1] FROM (SELECT "
                          "pg_catalog.count(*) AS orphans, pg_catalog.min(ARRAY[CASE WHEN "
                          "fk.customer_id IS NOT NULL THEN pg_catalog.format('%s', fk.customer_id) "
                          "COLLATE pg_catalog.\"C\" END]::pg_catalog.text COLLATE pg_catalog.\"C\") "
                          "AS sample FROM ONLY shop.orders fk",
                          0),
              0u);
}

TEST(OrphanRows, The03ColumnsAreNullForATableThatIsNotCitus)
{
    std::string query = fkd::orphan_rows_query(orders_key(), std::nullopt, fkd::OrphanColumns::Located);
    EXPECT_NE(query.find("fk.customer_id), NULL::pg_catalog.int8, NULL::pg_catalog.text FROM ONLY"),
              std::string::npos);
}

TEST(DistributedOrphanRows, APartitionedTablesRowIsLocatedInItsPartitionsShard)
{
    fkd::ForeignKey key = distributed_orders_key();
    key.child.kind = 'p';
    std::string query =
        fkd::distributed_orphan_rows_query(key, std::nullopt, fkd::OrphanColumns::Located);
    EXPECT_NE(query.find("FROM shop.orders fk"), std::string::npos);
    EXPECT_NE(query.find("COALESCE(w.logicalrelid, 'shop.orders'::pg_catalog.regclass), "
                         "'shop.customers'::pg_catalog.regclass, "
                         "CASE WHEN w.node IS NOT NULL THEN o.child_ctid END"),
              std::string::npos);
}
