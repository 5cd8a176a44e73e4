#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "core/repair_generator.hpp"

namespace {

fkd::KeyColumn column(const std::string &child, const std::string &parent, bool not_null)
{
    fkd::KeyColumn c;
    c.child_column = child;
    c.child_type = 23;
    c.child_type_name = "integer";
    c.child_not_null = not_null;
    c.parent_column = parent;
    c.parent_type = 20;
    c.parent_type_name = "bigint";
    c.equality = {{"pg_catalog", "="}, 20, {"pg_catalog", "int8"}, 23, {"pg_catalog", "int4"}};
    return c;
}

fkd::ForeignKey key(fkd::MatchType match = fkd::MatchType::Simple)
{
    fkd::ForeignKey k;
    k.name = "lines_fkey";
    k.child = {1, {"shop", "Order Lines"}, 'r'};
    k.parent = {2, {"shop", "orders"}, 'p'};
    k.match = match;
    k.columns.push_back(column("order_id", "id", false));
    k.columns.push_back(column("line", "line", true));
    k.parent_accepts_bare_keys = true;
    return k;
}

const std::string kOrphan =
    "(fk.order_id IS NOT NULL AND fk.line IS NOT NULL) AND NOT EXISTS (SELECT FROM shop.orders pk "
    "WHERE pk.id OPERATOR(pg_catalog.=) fk.order_id AND pk.line OPERATOR(pg_catalog.=) fk.line)";

}  // namespace

TEST(Strategy, NamesRoundTripAndUnknownNamesAre22023)
{
    for (fkd::Strategy s : fkd::kStrategies)
        EXPECT_EQ(fkd::strategy_from_name(fkd::strategy_name(s)), s);
    try {
        fkd::strategy_from_name("truncate");
        FAIL();
    } catch (const fkd::Error &e) {
        EXPECT_EQ(e.sqlstate(), "22023");
        EXPECT_NE(e.hint().find("insert_parent"), std::string::npos);
    }
}

TEST(Strategy, FollowsOnDelete)
{
    EXPECT_EQ(fkd::strategy_of_on_delete(fkd::Action::Cascade), fkd::Strategy::Delete);
    EXPECT_EQ(fkd::strategy_of_on_delete(fkd::Action::SetNull), fkd::Strategy::SetNull);
    EXPECT_EQ(fkd::strategy_of_on_delete(fkd::Action::SetDefault), fkd::Strategy::SetDefault);
    EXPECT_FALSE(fkd::strategy_of_on_delete(fkd::Action::NoAction));
    EXPECT_FALSE(fkd::strategy_of_on_delete(fkd::Action::Restrict));
}

TEST(RepairStatement, DeleteRechecksOrphansAndUsesOnlyWhereTheRiCheckDoes)
{
    EXPECT_EQ(fkd::repair_statement(key(), fkd::Strategy::Delete),
              "DELETE FROM ONLY shop.\"Order Lines\" fk WHERE " + kOrphan);
}

TEST(RepairStatement, SetNullEmptiesTheNullableColumnsUnderMatchSimple)
{
    EXPECT_EQ(fkd::repair_statement(key(), fkd::Strategy::SetNull),
              "UPDATE ONLY shop.\"Order Lines\" fk SET order_id = NULL WHERE " + kOrphan);
    EXPECT_FALSE(fkd::catalog_obstacle(key(), fkd::Strategy::SetNull));
}

TEST(RepairStatement, SetNullUnderMatchFullNeedsEveryColumnNullable)
{
    EXPECT_TRUE(fkd::catalog_obstacle(key(fkd::MatchType::Full), fkd::Strategy::SetNull));
    fkd::ForeignKey k = key(fkd::MatchType::Full);
    k.columns[1].child_not_null = false;
    EXPECT_FALSE(fkd::catalog_obstacle(k, fkd::Strategy::SetNull));
    EXPECT_EQ(fkd::repair_statement(k, fkd::Strategy::SetNull).find(" SET order_id = NULL, line = NULL WHERE "),
              33u);
}

TEST(RepairStatement, SetNullAndSetDefaultSetOnlyTheColumnsOnDeleteNames)
{
    fkd::ForeignKey k = key();
    k.columns[1].child_not_null = false;
    k.columns[0].set_by_on_delete = false;  // ON DELETE SET NULL (line)
    EXPECT_EQ(fkd::repair_statement(k, fkd::Strategy::SetNull),
              "UPDATE ONLY shop.\"Order Lines\" fk SET line = NULL WHERE " + kOrphan);
    EXPECT_EQ(fkd::repair_statement(k, fkd::Strategy::SetDefault),
              "UPDATE ONLY shop.\"Order Lines\" fk SET line = DEFAULT WHERE " + kOrphan);
    k.columns[1].child_not_null = true;
    EXPECT_TRUE(fkd::catalog_obstacle(k, fkd::Strategy::SetNull));
}

TEST(RepairStatement, InsertParentAddsOnlyKeysThatSurviveTheParentTypes)
{
    EXPECT_EQ(fkd::repair_statement(key(), fkd::Strategy::InsertParent),
              "INSERT INTO shop.orders (id, line) SELECT DISTINCT np.id, np.line FROM ONLY "
              "shop.\"Order Lines\" fk CROSS JOIN LATERAL (SELECT fk.order_id::bigint AS id, "
              "fk.line::bigint AS line) np WHERE (fk.order_id IS NOT NULL AND fk.line IS NOT "
              "NULL) AND NOT EXISTS (SELECT FROM shop.orders pk WHERE pk.id "
              "OPERATOR(pg_catalog.=) fk.order_id AND pk.line OPERATOR(pg_catalog.=) fk.line) "
              "AND (np.id OPERATOR(pg_catalog.=) fk.order_id AND np.line OPERATOR(pg_catalog.=) "
              "fk.line) ON CONFLICT (id, line) DO NOTHING");
}

TEST(RepairStatement, InsertParentGroupsKeysByTheParentsCollation)
{
    fkd::ForeignKey k = key();
    k.columns[0].comparison_collation = fkd::QualifiedName{"shop", "Case Blind"};
    EXPECT_NE(fkd::repair_statement(k, fkd::Strategy::InsertParent)
                  .find("fk.order_id::bigint COLLATE shop.\"Case Blind\" AS id"),
              std::string::npos);
}

TEST(AffectedRows, InsertParentCountsDistinctKeysOthersTheOrphans)
{
    EXPECT_EQ(fkd::affected_rows_query(key(), fkd::Strategy::Delete),
              "SELECT pg_catalog.count(*) FROM ONLY shop.\"Order Lines\" fk WHERE " + kOrphan);
    EXPECT_EQ(fkd::affected_rows_query(key(), fkd::Strategy::InsertParent).substr(0, 60),
              "SELECT pg_catalog.count(*) FROM (SELECT DISTINCT np.id, np.l");
}

TEST(CatalogObstacle, SetDefaultNeedsADefaultOrANullableColumnAndNothingVolatile)
{
    fkd::ForeignKey k = key();
    EXPECT_TRUE(fkd::catalog_obstacle(k, fkd::Strategy::SetDefault));  // line: NOT NULL, no default
    k.columns[1].child_default = "1";
    EXPECT_FALSE(fkd::catalog_obstacle(k, fkd::Strategy::SetDefault));
    k.columns[1].child_default_volatile = true;
    EXPECT_NE(fkd::catalog_obstacle(k, fkd::Strategy::SetDefault)->find("volatile"), std::string::npos);
    k.columns[1].child_default_volatile = false;
    k.columns[1].child_generated = true;
    EXPECT_TRUE(fkd::catalog_obstacle(k, fkd::Strategy::SetDefault));
    k.columns[1].set_by_on_delete = false;  // ON DELETE SET DEFAULT (order_id)
    EXPECT_FALSE(fkd::catalog_obstacle(k, fkd::Strategy::SetDefault));
}

TEST(DataObstacle, SetDefaultEvaluatesTheDefaultsPerOrphanAgainstTheParent)
{
    fkd::ForeignKey k = key();
    k.columns[1].child_default = "1";
    k.columns[0].set_by_on_delete = false;
    std::vector<std::string> queries = fkd::data_obstacle_queries(k, fkd::Strategy::SetDefault);
    ASSERT_EQ(queries.size(), 1u);
    EXPECT_NE(queries[0].find("CROSS JOIN LATERAL (SELECT fk.order_id AS order_id, (1)::integer "
                              "AS line) repaired WHERE " + kOrphan),
              std::string::npos);
    EXPECT_NE(queries[0].find("NOT EXISTS (SELECT FROM shop.orders pk WHERE pk.id "
                              "OPERATOR(pg_catalog.=) repaired.order_id"),
              std::string::npos);
}

TEST(DataObstacle, InsertParentLooksForPartialMatchFullKeysAndChangedValues)
{
    EXPECT_EQ(fkd::data_obstacle_queries(key(), fkd::Strategy::InsertParent).size(), 1u);
    EXPECT_EQ(fkd::data_obstacle_queries(key(fkd::MatchType::Full), fkd::Strategy::InsertParent).size(), 2u);
    EXPECT_TRUE(fkd::data_obstacle_queries(key(), fkd::Strategy::Delete).empty());
}

TEST(CatalogObstacle, InsertParentNeedsAParentThatAcceptsBareKeys)
{
    fkd::ForeignKey k = key();
    k.parent_accepts_bare_keys = false;
    EXPECT_TRUE(fkd::catalog_obstacle(k, fkd::Strategy::InsertParent));
    k = key();
    k.columns[0].parent_insertable = false;
    EXPECT_TRUE(fkd::catalog_obstacle(k, fkd::Strategy::InsertParent));
}

TEST(RepairNote, InsertParentWarnsOfSequenceCollisions)
{
    fkd::ForeignKey k = key();
    EXPECT_EQ(fkd::repair_note(k, fkd::Strategy::InsertParent).find("setval"), std::string::npos);
    k.columns[0].parent_from_sequence = true;
    EXPECT_NE(fkd::repair_note(k, fkd::Strategy::InsertParent).find("setval"), std::string::npos);
}

TEST(FollowUps, EnableTheKeysTriggersFirstValidateLast)
{
    fkd::ForeignKey k = key();
    k.validated = false;
    k.unenforced_triggers.push_back({{"shop", "orders"}, "RI_ConstraintTrigger_a_1"});
    std::vector<fkd::FollowUp> steps = fkd::follow_ups(k);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_STREQ(steps[0].kind, "enable_trigger");
    EXPECT_EQ(steps[0].statement, "ALTER TABLE shop.orders ENABLE TRIGGER \"RI_ConstraintTrigger_a_1\"");
    EXPECT_EQ(steps[0].phase, fkd::Phase::EnableTriggers);
    EXPECT_STREQ(steps[1].kind, "validate");
    EXPECT_EQ(steps[1].statement, "ALTER TABLE shop.\"Order Lines\" VALIDATE CONSTRAINT lines_fkey");
    EXPECT_EQ(steps[1].phase, fkd::Phase::Validate);
}

TEST(RepairPhase, TriggersThenParentsThenUpdatesThenDeletesThenChoicesThenValidation)
{
    EXPECT_LT(fkd::Phase::EnableTriggers, fkd::repair_phase(fkd::Strategy::InsertParent));
    EXPECT_LT(fkd::repair_phase(fkd::Strategy::InsertParent), fkd::repair_phase(fkd::Strategy::SetNull));
    EXPECT_EQ(fkd::repair_phase(fkd::Strategy::SetNull), fkd::repair_phase(fkd::Strategy::SetDefault));
    EXPECT_LT(fkd::repair_phase(fkd::Strategy::SetDefault), fkd::repair_phase(fkd::Strategy::Delete));
    EXPECT_LT(fkd::repair_phase(fkd::Strategy::Delete), fkd::repair_phase(std::nullopt));
    EXPECT_LT(fkd::repair_phase(std::nullopt), fkd::Phase::Validate);
}

TEST(RepairStatement, ACitusLocalTablesRowsAreNamedByCtidFromAnUncorrelatedSubquery)
{
    fkd::ForeignKey k = key();
    k.parent.kind = 'r';
    k.child.citus = fkd::CitusTable::Local;
    k.parent.citus = fkd::CitusTable::Reference;
    std::string orphan = "(fk.order_id IS NOT NULL AND fk.line IS NOT NULL) AND NOT EXISTS (SELECT "
                         "FROM ONLY shop.orders pk WHERE pk.id OPERATOR(pg_catalog.=) fk.order_id "
                         "AND pk.line OPERATOR(pg_catalog.=) fk.line)";
    EXPECT_EQ(fkd::repair_statement(k, fkd::Strategy::Delete),
              "DELETE FROM ONLY shop.\"Order Lines\" fk WHERE fk.ctid OPERATOR(pg_catalog.=) ANY "
              "(ARRAY(SELECT fk.ctid FROM ONLY shop.\"Order Lines\" fk WHERE " + orphan + "))");
    EXPECT_EQ(fkd::repair_statement(k, fkd::Strategy::SetNull),
              "UPDATE ONLY shop.\"Order Lines\" fk SET order_id = NULL WHERE fk.ctid "
              "OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fk.ctid FROM ONLY shop.\"Order Lines\" fk "
              "WHERE " + orphan + "))");
    k.child.citus = fkd::CitusTable::Distributed;
    EXPECT_EQ(fkd::repair_statement(k, fkd::Strategy::Delete),
              "DELETE FROM ONLY shop.\"Order Lines\" fk WHERE " + orphan);
}

TEST(Quarantine, MovesOrphansAndCascadedRowsInOneStatement)
{
    fkd::ForeignKey orphans = key();
    fkd::ForeignKey below;
    below.name = "notes_fkey";
    below.child = {3, {"shop", "notes"}, 'r'};
    below.parent = orphans.child;
    below.on_delete = fkd::Action::Cascade;
    below.columns.push_back(column("order_id", "order_id", false));
    fkd::QuarantinePlan plan{"fkd", 7, {{&below, -1}}};
    std::string sql = fkd::quarantine_statement(orphans, plan);
    EXPECT_EQ(sql.rfind("WITH moved AS (DELETE FROM ONLY shop.\"Order Lines\" fk WHERE " + kOrphan +
                            " RETURNING fk AS \"row\"), cascaded_1 AS (DELETE FROM ONLY shop.notes "
                            "fk USING moved m WHERE (m.\"row\").order_id OPERATOR(pg_catalog.=) "
                            "fk.order_id RETURNING fk AS \"row\") INSERT INTO fkd.fk_quarantine ",
                        0),
              0u)
        << sql;
    EXPECT_NE(sql.find("SELECT 7, 'shop.\"Order Lines\"'::pg_catalog.regclass, 'lines_fkey', 0, "),
              std::string::npos);
    EXPECT_NE(sql.find("UNION ALL SELECT 7, 'shop.notes'::pg_catalog.regclass, 'notes_fkey', 1, "
                       "NULL, fkd.fk_row_text((m.\"row\")) FROM cascaded_1 m"),
              std::string::npos);
    EXPECT_NE(fkd::quarantine_note(orphans, plan).find("fk_restore(7)"), std::string::npos);
}
