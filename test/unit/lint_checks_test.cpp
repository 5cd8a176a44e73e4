#include <gtest/gtest.h>

#include <algorithm>

#include "lint_checks.hpp"

namespace {

fkd::ForeignKey key(const std::string &name, std::vector<std::string> columns)
{
    fkd::ForeignKey k;
    k.name = name;
    k.child = {1, {"s", "orders"}, 'r'};
    k.parent = {2, {"s", "customers"}, 'r'};
    for (const auto &name : columns) {
        fkd::KeyColumn c;
        c.child_column = name;
        c.parent_column = name;
        c.child_type = c.parent_type = 23;
        c.child_type_name = c.parent_type_name = "integer";
        c.child_not_null = true;
        k.columns.push_back(c);
    }
    k.child_index = 7;
    return k;
}

std::vector<std::string> checks(const std::vector<const fkd::ForeignKey *> &keys)
{
    std::vector<std::string> names;
    for (const auto &finding : fkd::lint_keys(keys))
        names.push_back(finding.check);
    return names;
}

bool has(const std::vector<std::string> &names, const std::string &name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST(Lint, AHealthyKeyHasNoFindings)
{
    fkd::ForeignKey k = key("k", {"a"});
    EXPECT_TRUE(checks({&k}).empty());
}

TEST(Lint, UnindexedAndCascadeWithoutIndex)
{
    fkd::ForeignKey k = key("k", {"a"});
    k.child_index = 0;
    EXPECT_EQ(checks({&k}), std::vector<std::string>{"unindexed"});
    k.on_delete = fkd::Action::Cascade;
    EXPECT_EQ(checks({&k}), std::vector<std::string>{"cascade_without_index"});
    std::vector<fkd::LintFinding> findings = fkd::lint_keys({&k});
    EXPECT_EQ(*findings.front().fix, "CREATE INDEX CONCURRENTLY ON s.orders (a)");
    k.child.kind = 'p';
    EXPECT_EQ(*fkd::lint_keys({&k}).front().fix, "CREATE INDEX ON s.orders (a)");
}

TEST(Lint, ValidButUnenforcedAndNotValid)
{
    fkd::ForeignKey k = key("k", {"a"});
    k.enforcement = fkd::Enforcement::Disabled;
    k.unenforced_triggers.push_back({{"s", "orders"}, "RI_ConstraintTrigger_c_1"});
    EXPECT_EQ(checks({&k}), std::vector<std::string>{"valid_but_unenforced"});
    k.validated = false;
    EXPECT_EQ(checks({&k}), std::vector<std::string>{"not_valid"});
}

TEST(Lint, TypeMismatchAndNullableComposite)
{
    fkd::ForeignKey k = key("k", {"a", "b"});
    k.columns[1].parent_type = 20;
    k.columns[1].parent_type_name = "bigint";
    k.columns[0].child_not_null = false;
    std::vector<std::string> names = checks({&k});
    EXPECT_TRUE(has(names, "type_mismatch"));
    EXPECT_TRUE(has(names, "nullable_composite"));
    k.match = fkd::MatchType::Full;
    EXPECT_FALSE(has(checks({&k}), "nullable_composite"));
}

TEST(Lint, DuplicateIsReportedOnceAndOverlapOnTheShorterKey)
{
    fkd::ForeignKey a = key("a_key", {"x"}), b = key("b_key", {"x"}), c = key("c_key", {"x", "y"});
    std::vector<fkd::LintFinding> findings = fkd::lint_keys({&a, &b});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_STREQ(findings[0].check, "duplicate");
    EXPECT_EQ(findings[0].key, &b);
    findings = fkd::lint_keys({&a, &c});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_STREQ(findings[0].check, "overlapping");
    EXPECT_EQ(findings[0].key, &a);
}
