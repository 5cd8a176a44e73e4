// PostgreSQL 18's new kinds of foreign key in the pure core: NOT ENFORCED
// keys, temporal keys (PERIOD), NOT VALID NOT NULL, and the collation pairs
// 18 refuses.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/audit_query.hpp"
#include "core/errors.hpp"
#include "core/lint_checks.hpp"
#include "core/repair_generator.hpp"
#include "core/sql_generator.hpp"

namespace {

fkd::KeyColumn column(const std::string &child, const std::string &parent, fkd::Oid type,
                      const std::string &type_name, const fkd::EqualityOperator &op)
{
    fkd::KeyColumn c;
    c.child_column = child;
    c.parent_column = parent;
    c.child_type = c.parent_type = type;
    c.child_type_name = c.parent_type_name = type_name;
    c.equality = op;
    return c;
}

const fkd::EqualityOperator kIntEquals{
    {"pg_catalog", "="}, 23, {"pg_catalog", "int4"}, 23, {"pg_catalog", "int4"}};
// conpfeqop of a PERIOD column: anyrange && anyrange.
const fkd::EqualityOperator kOverlaps{
    {"pg_catalog", "&&"}, 3831, {"pg_catalog", "anyrange"}, 3831, {"pg_catalog", "anyrange"}};

// reservations (room_id, PERIOD valid_at) REFERENCES rooms (id, PERIOD valid_at)
fkd::ForeignKey temporal_key()
{
    fkd::ForeignKey key;
    key.oid = 100;
    key.name = "reservations_room_fkey";
    key.child = {200, {"s", "reservations"}, 'r'};
    key.parent = {300, {"s", "rooms"}, 'r'};
    key.temporal = true;
    key.columns.push_back(column("room_id", "id", 23, "integer", kIntEquals));
    key.columns.push_back(column("valid_at", "valid_at", 3912, "daterange", kOverlaps));
    key.child_primary_key = {"id"};
    key.child_index = 7;
    key.parent_accepts_bare_keys = true;
    return key;
}

fkd::ForeignKey not_enforced_key()
{
    fkd::ForeignKey key;
    key.oid = 101;
    key.name = "orders_customer_fkey";
    key.child = {201, {"s", "orders"}, 'r'};
    key.parent = {301, {"s", "customers"}, 'r'};
    key.columns.push_back(column("customer_id", "id", 23, "integer", kIntEquals));
    key.columns.front().child_not_null = true;
    key.validated = false;  // a NOT ENFORCED key is never validated
    key.enforcement = fkd::Enforcement::NotEnforced;
    key.child_index = 7;
    key.parent_accepts_bare_keys = true;
    return key;
}

bool mentions(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

std::string plain_name(const fkd::QualifiedName &table, const std::string &columns,
                       const std::string &label)
{
    return table.name + "_" + columns + "_" + label;
}

std::vector<fkd::LintFinding> lint(const fkd::ForeignKey &key)
{
    return fkd::lint_keys({&key}, plain_name);
}

const fkd::LintFinding *finding(const std::vector<fkd::LintFinding> &findings,
                                const std::string &check)
{
    for (const auto &f : findings)
        if (f.check == check)
            return &f;
    return nullptr;
}

const char *kCoverage =
    "NOT EXISTS (SELECT FROM (SELECT pk.valid_at AS r FROM ONLY s.rooms pk WHERE "
    "pk.id OPERATOR(pg_catalog.=) fk.room_id AND "
    "pk.valid_at::pg_catalog.anyrange OPERATOR(pg_catalog.&&) fk.valid_at::pg_catalog.anyrange) x1 "
    "HAVING fk.valid_at OPERATOR(pg_catalog.<@) pg_catalog.range_agg(x1.r))";

}  // namespace

TEST(NotEnforcedKey, ShowsAsNotEnforced)
{
    EXPECT_STREQ(fkd::enforcement_text(fkd::Enforcement::NotEnforced), "not enforced");
    EXPECT_EQ(fkd::enforcement_from_text("not enforced"), fkd::Enforcement::NotEnforced);
}

TEST(NotEnforcedKey, DiagnosisSaysDeclaredNotEnforcedNotNeverValidated)
{
    std::string diagnosis = fkd::orphan_diagnosis(not_enforced_key());
    EXPECT_TRUE(mentions(diagnosis, "declared NOT ENFORCED")) << diagnosis;
    EXPECT_TRUE(mentions(diagnosis, "ALTER CONSTRAINT ... ENFORCED")) << diagnosis;
    EXPECT_FALSE(mentions(diagnosis, "NOT VALID")) << diagnosis;
    std::string advice = fkd::key_advice(not_enforced_key()).value();
    EXPECT_TRUE(mentions(advice, "declared NOT ENFORCED")) << advice;
}

TEST(NotEnforcedKey, LintSaysNotEnforcedAndProposesEnforcedNeverValidate)
{
    std::vector<fkd::LintFinding> findings = lint(not_enforced_key());
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_STREQ(findings[0].check, "not_enforced");
    EXPECT_STREQ(findings[0].severity, "info");
    EXPECT_FALSE(mentions(findings[0].detail, "15.9")) << findings[0].detail;
    EXPECT_EQ(findings[0].fix.value(),
              "ALTER TABLE s.orders ALTER CONSTRAINT orders_customer_fkey ENFORCED");
}

TEST(NotEnforcedKey, RepairsEndWithAlterConstraintEnforced)
{
    std::vector<fkd::FollowUp> steps = fkd::follow_ups(not_enforced_key());
    ASSERT_EQ(steps.size(), 1u);
    EXPECT_STREQ(steps[0].kind, "enforce");
    EXPECT_EQ(steps[0].statement,
              "ALTER TABLE s.orders ALTER CONSTRAINT orders_customer_fkey ENFORCED");
    EXPECT_EQ(steps[0].phase, fkd::Phase::Validate);
}

TEST(TemporalKey, OrphanTestIsTheTriggersCoverageTest)
{
    fkd::ForeignKey key = temporal_key();
    EXPECT_EQ(fkd::parent_is_missing(key), kCoverage);
    EXPECT_EQ(fkd::orphan_condition(key),
              std::string("(fk.room_id IS NOT NULL AND fk.valid_at IS NOT NULL) AND ") + kCoverage);
    EXPECT_EQ(fkd::orphan_from_where(key),
              std::string("FROM ONLY s.reservations fk WHERE ") + fkd::orphan_condition(key));
    EXPECT_EQ(fkd::orphan_count_query(key),
              "SELECT pg_catalog.count(*) " + fkd::orphan_from_where(key));
}

TEST(TemporalKey, MatchFullChecksAPartlyNullKey)
{
    fkd::ForeignKey key = temporal_key();
    key.match = fkd::MatchType::Full;
    EXPECT_TRUE(mentions(fkd::orphan_condition(key),
                         "(fk.room_id IS NOT NULL OR fk.valid_at IS NOT NULL) AND NOT EXISTS"));
}

TEST(TemporalKey, NoOuterJoinJudgesIt)
{
    fkd::ForeignKey key = temporal_key();
    EXPECT_THROW(fkd::outer_join_orphan_test(key, "pk"), fkd::Error);
    EXPECT_THROW(fkd::table_audit_query({&key}), fkd::Error);
}

TEST(TemporalKey, MissingKeyShowsTheUncoveredPartAsAMultirange)
{
    fkd::ForeignKey key = temporal_key();
    std::string uncovered = fkd::uncovered_period(key, "fk");
    EXPECT_EQ(uncovered,
              "(SELECT COALESCE(own.period OPERATOR(pg_catalog.-) (SELECT "
              "pg_catalog.range_agg(pk.valid_at) FROM ONLY s.rooms pk WHERE "
              "pk.id OPERATOR(pg_catalog.=) fk.room_id AND "
              "pk.valid_at::pg_catalog.anyrange OPERATOR(pg_catalog.&&) "
              "fk.valid_at::pg_catalog.anyrange), "
              "own.period) FROM (SELECT pg_catalog.range_agg(v.period) FROM "
              "(VALUES (fk.valid_at)) v(period)) own(period))");
    EXPECT_EQ(fkd::missing_key_object(key),
              "pg_catalog.jsonb_build_object('room_id', fk.room_id, 'valid_at', " + uncovered +
                  ")");
    EXPECT_TRUE(mentions(fkd::orphan_rows_query(key, std::nullopt), fkd::missing_key_object(key)));
}

TEST(TemporalKey, AuditCountsDistinctMissingScalarKeys)
{
    fkd::ForeignKey key = temporal_key();
    EXPECT_EQ(fkd::key_audit_query(key),
              "SELECT pg_catalog.sum(g.n), pg_catalog.count(*) FROM (SELECT pg_catalog.count(*) AS n " +
                  fkd::orphan_from_where(key) + " GROUP BY fk.room_id) g");
}

TEST(TemporalKey, DiagnosisNamesOverlapOnlyValidationAndNoBtreeCheck)
{
    std::string diagnosis = fkd::orphan_diagnosis(temporal_key());
    EXPECT_FALSE(mentions(diagnosis, "bt_index_parent_check")) << diagnosis;
    EXPECT_TRUE(mentions(diagnosis, "GiST")) << diagnosis;
    EXPECT_TRUE(mentions(diagnosis, "VALIDATE CONSTRAINT")) << diagnosis;
}

TEST(TemporalKey, DeleteAndSetNullRecheckCoverage)
{
    fkd::ForeignKey key = temporal_key();
    EXPECT_EQ(fkd::repair_statement(key, fkd::Strategy::Delete),
              "DELETE FROM ONLY s.reservations fk WHERE " + fkd::orphan_condition(key));
    EXPECT_EQ(fkd::repair_statement(key, fkd::Strategy::SetNull),
              "UPDATE ONLY s.reservations fk SET room_id = NULL WHERE " +
                  fkd::orphan_condition(key));
    EXPECT_TRUE(mentions(fkd::repair_note(key, fkd::Strategy::SetNull), "valid_at is kept"));
}

TEST(TemporalKey, SetNullUnderMatchFullNullsThePeriodToo)
{
    fkd::ForeignKey key = temporal_key();
    key.match = fkd::MatchType::Full;
    EXPECT_TRUE(mentions(fkd::repair_statement(key, fkd::Strategy::SetNull),
                         "SET room_id = NULL, valid_at = NULL WHERE"));
}

TEST(TemporalKey, SetNullNeedsANullableScalarColumn)
{
    fkd::ForeignKey key = temporal_key();
    key.columns[0].child_not_null = true;
    EXPECT_EQ(fkd::catalog_obstacle(key, fkd::Strategy::SetNull).value(),
              "the key columns other than its PERIOD column are NOT NULL");
}

TEST(TemporalKey, InsertParentAndSetDefaultAreRuledOut)
{
    fkd::ForeignKey key = temporal_key();
    EXPECT_TRUE(fkd::catalog_obstacle(key, fkd::Strategy::InsertParent).has_value());
    EXPECT_TRUE(fkd::catalog_obstacle(key, fkd::Strategy::SetDefault).has_value());
    EXPECT_FALSE(fkd::catalog_obstacle(key, fkd::Strategy::Delete).has_value());
}

TEST(TemporalKey, LintProposesAGistIndex)
{
    fkd::ForeignKey key = temporal_key();
    key.child_index = 0;
    key.columns[0].child_not_null = key.columns[1].child_not_null = true;
    std::vector<fkd::LintFinding> findings = lint(key);
    const fkd::LintFinding *unindexed = finding(findings, "unindexed");
    ASSERT_NE(unindexed, nullptr);
    EXPECT_EQ(unindexed->fix.value(),
              "CREATE INDEX CONCURRENTLY IF NOT EXISTS reservations_room_id_valid_at_idx ON "
              "s.reservations USING gist (room_id, valid_at)");
}

TEST(NotNullNotValid, LeavesTheColumnNullableForLint)
{
    fkd::ForeignKey key = temporal_key();
    key.columns[0].child_not_null = key.columns[1].child_not_null = true;
    EXPECT_EQ(finding(lint(key), "nullable_composite"), nullptr);
    key.columns[1].child_not_null_unvalidated = true;
    std::vector<fkd::LintFinding> findings = lint(key);
    const fkd::LintFinding *nullable = finding(findings, "nullable_composite");
    ASSERT_NE(nullable, nullptr);
    EXPECT_TRUE(mentions(nullable->detail, "nullable columns (valid_at)")) << nullable->detail;
}

TEST(CollationMismatch, ProposesTheReferencedCollationForTheChild)
{
    fkd::ForeignKey key = not_enforced_key();
    key.enforcement = fkd::Enforcement::Enabled;
    key.validated = true;
    fkd::KeyColumn &c = key.columns[0];
    c.child_type_name = c.parent_type_name = "text";
    c.comparison_collation = fkd::QualifiedName{"public", "ci"};
    EXPECT_EQ(finding(lint(key), "collation_mismatch"), nullptr);
    c.collations_refused_by_18 = true;
    std::vector<fkd::LintFinding> findings = lint(key);
    const fkd::LintFinding *mismatch = finding(findings, "collation_mismatch");
    ASSERT_NE(mismatch, nullptr);
    EXPECT_STREQ(mismatch->severity, "warning");
    EXPECT_EQ(mismatch->fix.value(),
              "ALTER TABLE s.orders ALTER COLUMN customer_id TYPE text COLLATE public.ci");
}
