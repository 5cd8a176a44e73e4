#include <gtest/gtest.h>

#include "core/sql_quoting.hpp"

using fkd::quote_identifier;
using fkd::quote_literal;
using fkd::quote_qualified;

TEST(QuoteIdentifier, LeavesPlainLowercaseNamesAlone)
{
    EXPECT_EQ(quote_identifier("orders"), "orders");
    EXPECT_EQ(quote_identifier("_x1"), "_x1");
}

TEST(QuoteIdentifier, QuotesUppercaseSpacesAndLeadingDigits)
{
    EXPECT_EQ(quote_identifier("Orders"), "\"Orders\"");
    EXPECT_EQ(quote_identifier("order lines"), "\"order lines\"");
    EXPECT_EQ(quote_identifier("1st"), "\"1st\"");
    EXPECT_EQ(quote_identifier(""), "\"\"");
}

TEST(QuoteIdentifier, DoublesEmbeddedQuotes)
{
    EXPECT_EQ(quote_identifier("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(quote_identifier("x\"; DROP TABLE t; --"), "\"x\"\"; DROP TABLE t; --\"");
}

TEST(QuoteIdentifier, QuotesReservedButNotUnreservedKeywords)
{
    EXPECT_EQ(quote_identifier("select"), "\"select\"");
    EXPECT_EQ(quote_identifier("user"), "\"user\"");
    EXPECT_EQ(quote_identifier("varchar"), "\"varchar\"");  // a column-name keyword
    EXPECT_EQ(quote_identifier("abort"), "abort");          // unreserved
    EXPECT_EQ(quote_identifier("name"), "name");            // unreserved
}

TEST(QuoteIdentifier, QuotesNonAsciiNames)
{
    EXPECT_EQ(quote_identifier("größe"), "\"größe\"");
}

TEST(QuoteQualified, QuotesEachPart)
{
    EXPECT_EQ(quote_qualified({"sales", "Order Lines"}), "sales.\"Order Lines\"");
    EXPECT_EQ(quote_qualified({"my.schema", "t"}), "\"my.schema\".t");
}

TEST(QuoteLiteral, DoublesQuotes)
{
    EXPECT_EQ(quote_literal("O'Brien"), "'O''Brien'");
    EXPECT_EQ(quote_literal(""), "''");
}

TEST(QuoteLiteral, UsesEscapeStringForBackslashes)
{
    EXPECT_EQ(quote_literal("a\\b'c"), "E'a\\\\b''c'");
}

TEST(JoinList, PutsTheSeparatorBetweenItemsOnly)
{
    EXPECT_EQ(fkd::join_list({}, ", "), "");
    EXPECT_EQ(fkd::join_list({"a"}, ", "), "a");
    EXPECT_EQ(fkd::join_list({"a", "b", "c"}, " AND "), "a AND b AND c");
}
