#include <gtest/gtest.h>

#include <algorithm>

#include "core/lint_checks.hpp"

namespace {

fkd::ForeignKey key(const std::string &name, std::vector<std::string> columns,
                    fkd::Oid parent = 2)
{
    fkd::ForeignKey k;
    k.name = name;
    k.child = {1, {"s", "orders"}, 'r'};
    k.parent = {parent, {"s", "customers"}, 'r'};
    for (const auto &column_name : columns) {
        fkd::KeyColumn c;
        c.child_column = column_name;
        c.parent_column = column_name;
        c.child_type = c.parent_type = 23;
        c.child_type_name = c.parent_type_name = "integer";
        c.child_not_null = true;
        k.columns.push_back(c);
    }
    k.child_index = 7;
    return k;
}

// PostgreSQL's naming without its catalog: every name is free.
std::string plain_name(const fkd::QualifiedName &table, const std::string &columns,
                       const std::string &label)
{
    return table.name + "_" + columns + "_" + label;
}

std::vector<fkd::LintFinding> lint(const std::vector<const fkd::ForeignKey *> &keys)
{
    return fkd::lint_keys(keys, plain_name);
}

std::vector<std::string> checks(const std::vector<const fkd::ForeignKey *> &keys)
{
    std::vector<std::string> names;
    for (const auto &finding : lint(keys))
        names.push_back(finding.check);
    return names;
}


bool mentions(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST(Lint, AHealthyKeyHasNoFindings)
{
    fkd::ForeignKey k = key("k", {"a"});
    EXPECT_TRUE(checks({&k}).empty());
}

TEST(Lint, UnindexedProposesANamedIndexBuiltConcurrently)
{
    fkd::ForeignKey k = key("k", {"a", "b"});
    k.child_index = 0;
    std::vector<fkd::LintFinding> findings = lint({&k});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_STREQ(findings[0].check, "unindexed");
    EXPECT_STREQ(findings[0].severity, "info");
    EXPECT_EQ(*findings[0].fix, "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_b_idx ON s.orders (a, b)");
}

TEST(Lint, APartitionedChildIsIndexedWithoutConcurrentlyAndTheDetailSaysWhy)
{
    fkd::ForeignKey k = key("k", {"a"});
    k.child_index = 0;
    k.child.kind = 'p';
    fkd::LintFinding finding = lint({&k}).front();
    EXPECT_EQ(*finding.fix, "CREATE INDEX IF NOT EXISTS orders_a_idx ON s.orders (a)");
    EXPECT_TRUE(mentions(finding.detail, "CONCURRENTLY cannot index a partitioned table"));
    EXPECT_TRUE(mentions(finding.detail, "ATTACH PARTITION"));
}

TEST(Lint, IndexNamesAndColumnsAreQuoted)
{
    fkd::ForeignKey k = key("k", {"Customer Id"});
    k.child.name = {"Sales", "Order Lines"};
    k.child_index = 0;
    EXPECT_EQ(*lint({&k}).front().fix,
              "CREATE INDEX CONCURRENTLY IF NOT EXISTS \"Order Lines_Customer Id_idx\" ON "
              "\"Sales\".\"Order Lines\" (\"Customer Id\")");
}

TEST(Lint, OneIndexServesKeysOnTheSameColumnsInAnyOrder)
{
    fkd::ForeignKey ab = key("ab", {"a", "b"}, 2), ba = key("ba", {"b", "a"}, 3);
    ab.child_index = ba.child_index = 0;
    std::vector<fkd::LintFinding> findings = lint({&ab, &ba});
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(*findings[0].fix, *findings[1].fix);
}

TEST(Lint, ANameAlreadyProposedForOtherColumnsIsNotReused)
{
    // Columns "a_b" and (a, b) make the same name.
    fkd::ForeignKey one = key("one", {"a_b"}, 2), two = key("two", {"a", "b"}, 3);
    one.child_index = two.child_index = 0;
    std::vector<fkd::LintFinding> findings = lint({&one, &two});
    EXPECT_TRUE(mentions(*findings[0].fix, " orders_a_b_idx "));
    EXPECT_TRUE(mentions(*findings[1].fix, " orders_a_b_idx1 "));
}

TEST(Lint, CascadeWithoutIndexNamesTheActionsThatChangeChildRows)
{
    fkd::ForeignKey k = key("k", {"a"});
    k.child_index = 0;
    k.on_delete = fkd::Action::Cascade;
    k.on_update = fkd::Action::SetNull;
    fkd::LintFinding finding = lint({&k}).front();
    EXPECT_STREQ(finding.check, "cascade_without_index");
    EXPECT_STREQ(finding.severity, "warning");
    EXPECT_TRUE(mentions(finding.detail, "ON DELETE CASCADE and ON UPDATE SET NULL changes"));
    k.on_update = fkd::Action::Restrict;
    k.on_delete = fkd::Action::SetDefault;
    EXPECT_TRUE(mentions(lint({&k}).front().detail, "ON DELETE SET DEFAULT changes"));
    k.on_delete = fkd::Action::NoAction;
    EXPECT_EQ(checks({&k}), std::vector<std::string>{"unindexed"});
}

TEST(Lint, ValidButUnenforcedIsAnErrorWithTheTriggersToEnable)
{
    fkd::ForeignKey k = key("k", {"a"});
    k.enforcement = fkd::Enforcement::ReplicaOnly;
    k.unenforced_triggers.push_back({{"s", "orders"}, "RI_ConstraintTrigger_c_1"});
    k.unenforced_triggers.push_back({{"s", "orders"}, "RI_ConstraintTrigger_c_2"});
    fkd::LintFinding finding = lint({&k}).front();
    EXPECT_STREQ(finding.check, "valid_but_unenforced");
    EXPECT_STREQ(finding.severity, "error");
    EXPECT_TRUE(mentions(finding.detail, "session_replication_role = replica"));
    EXPECT_EQ(*finding.fix,
              "ALTER TABLE s.orders ENABLE TRIGGER \"RI_ConstraintTrigger_c_1\"; "
              "ALTER TABLE s.orders ENABLE TRIGGER \"RI_ConstraintTrigger_c_2\"");
}

TEST(Lint, MissingTriggersHaveNoStatementToRun)
{
    fkd::ForeignKey k = key("k", {"a"});
    k.enforcement = fkd::Enforcement::MissingTriggers;
    fkd::LintFinding finding = lint({&k}).front();
    EXPECT_STREQ(finding.check, "valid_but_unenforced");
    EXPECT_FALSE(finding.fix);
    EXPECT_TRUE(mentions(finding.detail, "drop the key and add it again"));
}

TEST(Lint, NotValidIsValidatedAfterItsTriggersAreEnabled)
{
    fkd::ForeignKey k = key("k", {"a"});
    k.validated = false;
    EXPECT_EQ(*lint({&k}).front().fix, "ALTER TABLE s.orders VALIDATE CONSTRAINT k");
    k.enforcement = fkd::Enforcement::Disabled;
    k.unenforced_triggers.push_back({{"s", "orders"}, "RI_ConstraintTrigger_c_1"});
    std::vector<fkd::LintFinding> findings = lint({&k});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_STREQ(findings[0].check, "not_valid");
    EXPECT_TRUE(mentions(findings[0].detail, "new rows are not checked either"));
    EXPECT_EQ(*findings[0].fix,
              "ALTER TABLE s.orders ENABLE TRIGGER \"RI_ConstraintTrigger_c_1\"; "
              "ALTER TABLE s.orders VALIDATE CONSTRAINT k");
}

TEST(Lint, TypeMismatchChangesTheChildColumnToTheParentType)
{
    fkd::ForeignKey k = key("k", {"a"});
    k.columns[0].parent_type = 20;
    k.columns[0].parent_type_name = "bigint";
    fkd::LintFinding finding = lint({&k}).front();
    EXPECT_STREQ(finding.check, "type_mismatch");
    EXPECT_EQ(*finding.fix, "ALTER TABLE s.orders ALTER COLUMN a TYPE bigint");
}

TEST(Lint, NullableCompositeOnlyForMultiColumnMatchSimple)
{
    fkd::ForeignKey k = key("k", {"a", "b"});
    k.columns[1].child_not_null = false;
    fkd::LintFinding finding = lint({&k}).front();
    EXPECT_STREQ(finding.check, "nullable_composite");
    EXPECT_TRUE(mentions(finding.detail, "with nullable columns (b)"));
    EXPECT_FALSE(finding.fix);
    k.match = fkd::MatchType::Full;
    EXPECT_TRUE(checks({&k}).empty());
    fkd::ForeignKey single = key("single", {"a"});
    single.columns[0].child_not_null = false;
    EXPECT_TRUE(checks({&single}).empty());
}

TEST(Lint, DuplicateIsReportedOnceOnTheKeyToDrop)
{
    fkd::ForeignKey a = key("a_key", {"x"}), b = key("b_key", {"x"}), c = key("c_key", {"x"});
    std::vector<fkd::LintFinding> findings = lint({&a, &b, &c});
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(findings[0].key, &b);
    EXPECT_EQ(findings[1].key, &c);
    for (const auto &finding : findings) {
        EXPECT_STREQ(finding.check, "duplicate");
        EXPECT_TRUE(mentions(finding.detail, "as a_key"));
    }
    EXPECT_EQ(*findings[0].fix, "ALTER TABLE s.orders DROP CONSTRAINT b_key");
}

TEST(Lint, DuplicateKeepsTheValidatedKeyAndSeesColumnsInAnyOrder)
{
    fkd::ForeignKey a = key("a_key", {"x", "y"}), b = key("b_key", {"y", "x"});
    a.validated = false;
    std::vector<fkd::LintFinding> findings = lint({&a, &b});
    ASSERT_EQ(findings.size(), 2u);  // not_valid and duplicate, both on a_key
    EXPECT_STREQ(findings[1].check, "duplicate");
    EXPECT_EQ(findings[1].key, &a);
    EXPECT_EQ(*findings[1].fix, "ALTER TABLE s.orders DROP CONSTRAINT a_key");
}

TEST(Lint, DuplicatesThatBehaveDifferentlyHaveNoFix)
{
    fkd::ForeignKey a = key("a_key", {"x"}), b = key("b_key", {"x"});
    b.on_delete = fkd::Action::Cascade;
    fkd::LintFinding finding = lint({&a, &b}).front();
    EXPECT_STREQ(finding.check, "duplicate");
    EXPECT_FALSE(finding.fix);
    EXPECT_TRUE(mentions(finding.detail, "ON DELETE CASCADE here"));
}

TEST(Lint, OverlappingIsReportedOnTheShorterKeyToTheSameParentOnly)
{
    fkd::ForeignKey a = key("a_key", {"x"}), c = key("c_key", {"x", "y"});
    std::vector<fkd::LintFinding> findings = lint({&a, &c});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_STREQ(findings[0].check, "overlapping");
    EXPECT_EQ(findings[0].key, &a);
    fkd::ForeignKey elsewhere = key("elsewhere", {"x", "y"}, 3);
    EXPECT_TRUE(checks({&a, &elsewhere}).empty());
}

TEST(Lint, AKeyLeadingAnotherUnindexedKeyIsServedByTheWiderIndex)
{
    fkd::ForeignKey narrow = key("narrow", {"b"}, 2), wide = key("wide", {"b", "a"}, 3),
                    indexed = key("indexed", {"b", "c"}, 4);
    narrow.child_index = wide.child_index = 0;
    std::vector<fkd::LintFinding> findings = lint({&narrow, &wide, &indexed});
    ASSERT_EQ(findings.size(), 2u);
    EXPECT_EQ(*findings[0].fix, "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_b_a_idx ON s.orders (b, a)");
    EXPECT_EQ(*findings[0].fix, *findings[1].fix);
}

TEST(Lint, ACitusShardsTriggersAreEnabledOnTheirNode)
{
    fkd::ForeignKey k = key("k", {"a"});
    k.enforcement = fkd::Enforcement::Disabled;
    k.unenforced_triggers.push_back({{"s", "orders_102008"}, "RI_ConstraintTrigger_c_1", "10.0.0.2:5432"});
    fkd::LintFinding finding = lint({&k}).front();
    EXPECT_STREQ(finding.check, "valid_but_unenforced");
    EXPECT_TRUE(mentions(finding.detail, "they are on Citus shards: run the fix on node 10.0.0.2:5432"));
    EXPECT_EQ(*finding.fix, "ALTER TABLE s.orders_102008 ENABLE TRIGGER \"RI_ConstraintTrigger_c_1\"");
}
