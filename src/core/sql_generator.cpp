#include "core/sql_generator.hpp"

#include "core/sql_quoting.hpp"

#ifdef POSTGRES_H
static_assert(false, "the SQL generator is plain C++: no PostgreSQL headers");
#endif

namespace fkd {

namespace {

// As PostgreSQL's generate_operator_clause(): cast an operand to the
// operator's input type when its own type differs.
std::string operand(std::string reference, Oid type, Oid operator_type,
                    const QualifiedName &operator_type_name)
{
    if (type != operator_type)
        reference += "::" + quote_qualified(operator_type_name);
    return reference;
}

}  // namespace

std::string as_table_owner(const Relation &table, const std::string &statement)
{
    if (!table.statement_role)
        return statement;
    const StatementRole &role = *table.statement_role;
    return "SET ROLE " + quote_identifier(role.owner) + "; " + statement + "; " +
           (role.caller ? "SET ROLE " + quote_identifier(*role.caller) : "RESET ROLE");
}

std::string relation_scan(const Relation &relation)
{
    return (relation.is_partitioned() ? "" : "ONLY ") + quote_qualified(relation.name);
}

std::string column_reference(std::string_view alias, std::string_view column)
{
    return std::string(alias) + "." + quote_identifier(column);
}

std::vector<std::string> child_column_references(const ForeignKey &key, std::string_view alias)
{
    std::vector<std::string> references;
    for (const auto &column : key.columns)
        references.push_back(column_reference(alias, column.child_column));
    return references;
}

std::string child_column_list(const ForeignKey &key)
{
    std::vector<std::string> quoted;
    for (const std::string &column : child_columns(key))
        quoted.push_back(quote_identifier(column));
    return join_list(quoted, ", ");
}

std::string key_equality(const ForeignKey &key, std::string_view parent_alias,
                         std::string_view child_alias)
{
    std::vector<std::string> comparisons;
    for (const auto &column : key.columns) {
        const EqualityOperator &op = column.equality;
        std::string comparison =
            operand(column_reference(parent_alias, column.parent_column), column.parent_type,
                    op.left_type, op.left_type_name) +
            " OPERATOR(" + quote_identifier(op.name.schema) + "." + op.name.name + ") " +
            operand(column_reference(child_alias, column.child_column), column.child_type,
                    op.right_type, op.right_type_name);
        if (column.comparison_collation)
            comparison += " COLLATE " + quote_qualified(*column.comparison_collation);
        comparisons.push_back(comparison);
    }
    return join_list(comparisons, " AND ");
}

namespace {
std::string key_columns_not_null(const ForeignKey &key, std::string_view child_alias,
                                 std::string_view junction)
{
    std::vector<std::string> tests;
    for (const std::string &column : child_column_references(key, child_alias))
        tests.push_back(column + " IS NOT NULL");
    return "(" + join_list(tests, junction) + ")";
}
}  // namespace

std::string key_is_checked(const ForeignKey &key, std::string_view child_alias)
{
    return key_columns_not_null(key, child_alias, key.match == MatchType::Full ? " OR " : " AND ");
}

std::string key_is_complete(const ForeignKey &key, std::string_view child_alias)
{
    return key_columns_not_null(key, child_alias, " AND ");
}

std::string parent_is_missing(const ForeignKey &key)
{
    return "NOT EXISTS (SELECT FROM " + relation_scan(key.parent) + " " +
           std::string(kParentAlias) + " WHERE " + key_equality(key, kParentAlias, kChildAlias) +
           ")";
}

std::string orphan_condition(const ForeignKey &key)
{
    return key_is_checked(key, kChildAlias) + " AND " + parent_is_missing(key);
}

std::string outer_join_orphan_test(const ForeignKey &key, std::string_view parent_alias)
{
    // Any one referenced column is NULL exactly when the join found no parent.
    return column_reference(parent_alias, key.columns.front().parent_column) + " IS NULL AND " +
           key_is_checked(key, kChildAlias);
}

std::string orphan_from_where(const ForeignKey &key)
{
    return "FROM " + relation_scan(key.child) + " " + std::string(kChildAlias) +
           " LEFT JOIN " + relation_scan(key.parent) + " " + std::string(kParentAlias) +
           " ON (" + key_equality(key, kParentAlias, kChildAlias) + ")" +
           " WHERE " + outer_join_orphan_test(key, kParentAlias);
}

std::string orphan_count_and_sample_query(const ForeignKey &key)
{
    std::vector<std::string> values, elements;
    for (const auto &column : key.columns) {
        std::string value = column_reference(kChildAlias, column.child_column);
        // format('%s') uses the type's output function, as PostgreSQL's own
        // message does (a cast to text would print a boolean as "true").
        values.push_back("CASE WHEN " + value + " IS NOT NULL THEN pg_catalog.format('%s', " +
                         value + ") COLLATE pg_catalog.\"C\" END");
        elements.push_back("s.sample[" + std::to_string(elements.size() + 1) + "]");
    }
    return "SELECT s.orphans, " + join_list(elements, ", ") +
           " FROM (SELECT pg_catalog.count(*) AS orphans, pg_catalog.min(ARRAY[" +
           join_list(values, ", ") + "]) AS sample " + orphan_from_where(key) + ") s";
}

std::string orphan_count_query(const ForeignKey &key)
{
    return "SELECT pg_catalog.count(*) " + orphan_from_where(key);
}

std::string jsonb_object_of_columns(const std::vector<std::string> &columns,
                                    std::string_view alias)
{
    std::vector<std::string> pairs;
    for (const auto &column : columns)
        pairs.push_back(quote_literal(column) + ", " + column_reference(alias, column));
    return "pg_catalog.jsonb_build_object(" + join_list(pairs, ", ") + ")";
}

namespace {

// The columns of fk_orphans(), for an orphan row of the child aliased fk.
std::string orphan_row_columns(const ForeignKey &key)
{
    std::string child_key = key.child_primary_key.empty()
                                 ? std::string("NULL::pg_catalog.jsonb")
                                 : jsonb_object_of_columns(key.child_primary_key, kChildAlias);
    return (key.declared ? quote_literal(key.name) : std::string("NULL")) + "::pg_catalog.name, " +
           std::string(kChildAlias) +
           ".tableoid::pg_catalog.regclass, " +
           quote_literal(quote_qualified(key.parent.name)) + "::pg_catalog.regclass, " +
           std::string(kChildAlias) + ".ctid, " + child_key + ", " +
           jsonb_object_of_columns(child_columns(key), kChildAlias);
}

}  // namespace

std::string orphan_rows_query(const ForeignKey &key, std::optional<std::int64_t> limit)
{
    std::string query = "SELECT " + orphan_row_columns(key) + " " + orphan_from_where(key);
    if (limit)
        query += " LIMIT " + std::to_string(*limit);
    return query;
}

std::string parent_keys_query(const ForeignKey &key, std::int64_t limit)
{
    std::vector<std::string> columns, not_null;
    for (const auto &column : key.columns) {
        columns.push_back(column_reference(kParentAlias, column.parent_column));
        not_null.push_back(columns.back() + " IS NOT NULL");
    }
    return "SELECT " + join_list(columns, ", ") + " FROM " + relation_scan(key.parent) + " " +
           std::string(kParentAlias) + " WHERE " + join_list(not_null, " AND ") + " LIMIT " +
           std::to_string(limit);
}

std::string child_keys_query(const std::vector<const ForeignKey *> &keys, RowLocation location)
{
    std::vector<std::string> columns;
    if (location == RowLocation::Included) {
        columns.push_back(std::string(kChildAlias) + ".tableoid");
        columns.push_back(std::string(kChildAlias) + ".ctid");
    }
    for (const ForeignKey *key : keys)
        for (const std::string &column : child_column_references(*key, kChildAlias))
            columns.push_back(column);
    return "SELECT " + join_list(columns, ", ") + " FROM " + relation_scan(keys.front()->child) +
           " " + std::string(kChildAlias);
}

std::string orphan_rows_at_query(const ForeignKey &key, const Relation &table,
                                 const std::vector<RowAddress> &rows)
{
    std::vector<std::string> ctids;
    for (const RowAddress &row : rows)
        ctids.push_back("\"(" + std::to_string(row.block) + "," + std::to_string(row.offset) +
                        ")\"");
    return "SELECT " + orphan_row_columns(key) + " FROM ONLY " + quote_qualified(table.name) +
           " " + std::string(kChildAlias) + " WHERE " + std::string(kChildAlias) +
           ".ctid OPERATOR(pg_catalog.=) ANY ('{" + join_list(ctids, ",") +
           "}'::pg_catalog.tid[])";
}

}  // namespace fkd
