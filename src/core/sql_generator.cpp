#include "core/sql_generator.hpp"

#include "core/errors.hpp"
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

namespace {

std::string block_start(std::int64_t block)
{
    return "'(" + std::to_string(block) + ",0)'::pg_catalog.tid";
}

}  // namespace

std::string child_source(const ForeignKey &key)
{
    std::string alias(kChildAlias);
    if (!key.child_blocks)
        return relation_scan(key.child) + " " + alias;
    const ChildBlocks &blocks = *key.child_blocks;
    // The subquery is pulled up into the query: its ctid and tableoid are
    // the heap's, so fk.ctid and fk.tableoid mean what they do on a table.
    return "(SELECT *, tableoid, ctid FROM ONLY " + quote_qualified(blocks.heap) +
           " WHERE ctid OPERATOR(pg_catalog.>=) " + block_start(blocks.first_block) +
           " AND ctid OPERATOR(pg_catalog.<) " + block_start(blocks.end_block) + ") " + alias;
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

std::string compared_child_value(const KeyColumn &column, std::string_view child_alias)
{
    const EqualityOperator &op = column.equality;
    std::string value = operand(column_reference(child_alias, column.child_column),
                                column.child_type, op.right_type, op.right_type_name);
    // COLLATE binds tighter than the operator: it applies to this operand,
    // and an explicit collation wins over the other side's implicit one.
    if (column.comparison_collation)
        value += " COLLATE " + quote_qualified(*column.comparison_collation);
    return value;
}

std::string key_equality(const ForeignKey &key, std::string_view parent_alias,
                         std::string_view child_alias)
{
    std::vector<std::string> comparisons;
    for (const auto &column : key.columns) {
        const EqualityOperator &op = column.equality;
        comparisons.push_back(operand(column_reference(parent_alias, column.parent_column),
                                      column.parent_type, op.left_type, op.left_type_name) +
                              " OPERATOR(" + quote_identifier(op.name.schema) + "." +
                              op.name.name + ") " + compared_child_value(column, child_alias));
    }
    return join_list(comparisons, " AND ");
}

std::string value_is_not_null(const std::string &reference, bool composite)
{
    // A composite value's IS NOT NULL is true only when every field is
    // non-NULL; num_nulls() tests the datum, as the RI trigger does.
    return composite ? "pg_catalog.num_nulls(" + reference + ") OPERATOR(pg_catalog.=) 0"
                     : reference + " IS NOT NULL";
}

std::string value_is_null(const std::string &reference, bool composite)
{
    return composite ? "pg_catalog.num_nulls(" + reference + ") OPERATOR(pg_catalog.=) 1"
                     : reference + " IS NULL";
}

namespace {
std::string key_columns_not_null(const ForeignKey &key, std::string_view child_alias,
                                 std::string_view junction)
{
    std::vector<std::string> tests;
    for (const auto &column : key.columns)
        tests.push_back(value_is_not_null(column_reference(child_alias, column.child_column),
                                          column.child_composite));
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

namespace {

// "FROM parent pk WHERE <equality>": the parent rows that match the child
// row aliased child_alias (for a temporal key: equal scalar columns and a
// period that overlaps the child's).
std::string matching_parents(const ForeignKey &key, std::string_view child_alias)
{
    return "FROM " + relation_scan(key.parent) + " " + std::string(kParentAlias) + " WHERE " +
           key_equality(key, kParentAlias, child_alias);
}

}  // namespace

std::string parent_is_missing(const ForeignKey &key, std::string_view child_alias)
{
    if (!key.temporal)
        return "NOT EXISTS (SELECT " + matching_parents(key, child_alias) + ")";
    const KeyColumn &period = period_column(key);
    // As the trigger's query: one aggregate row over the overlapping
    // parents, kept when their union contains the child's period. No
    // parent: range_agg is NULL, the row is not kept, the child is an
    // orphan; so is an empty period, which overlaps nothing.
    return "NOT EXISTS (SELECT FROM (SELECT " +
           column_reference(kParentAlias, period.parent_column) + " AS r " +
           matching_parents(key, child_alias) + ") x1 HAVING " +
           column_reference(child_alias, period.child_column) +
           " OPERATOR(pg_catalog.<@) pg_catalog.range_agg(x1.r))";
}

std::string uncovered_period(const ForeignKey &key, std::string_view child_alias)
{
    const KeyColumn &period = period_column(key);
    // range_agg over a one-row VALUES makes the child's period a multirange
    // whatever its type (an aggregate of the outer row's column alone would
    // aggregate the outer query). No overlapping parent: all of it.
    return "(SELECT COALESCE(own.period OPERATOR(pg_catalog.-) (SELECT pg_catalog.range_agg(" +
           column_reference(kParentAlias, period.parent_column) + ") " +
           matching_parents(key, child_alias) +
           "), own.period) FROM (SELECT pg_catalog.range_agg(v.period) FROM (VALUES (" +
           column_reference(child_alias, period.child_column) +
           ")) v(period)) own(period))";
}

std::string missing_key_object(const ForeignKey &key)
{
    std::vector<std::string> pairs;
    for (const auto &column : key.columns)
        pairs.push_back(quote_literal(column.child_column) + ", " +
                        (is_period(key, column)
                             ? uncovered_period(key, kChildAlias)
                             : column_reference(kChildAlias, column.child_column)));
    return "pg_catalog.jsonb_build_object(" + join_list(pairs, ", ") + ")";
}

std::string orphan_condition(const ForeignKey &key)
{
    return key_is_checked(key, kChildAlias) + " AND " + parent_is_missing(key);
}

std::string outer_join_orphan_test(const ForeignKey &key, std::string_view parent_alias)
{
    if (key.temporal)
        throw Error(kInternalError, "no outer join tells the orphans of temporal foreign key \"" +
                                        key.name + "\"");
    // Any one referenced column is NULL exactly when the join found no parent
    // (the key's operators are strict): NULL as a datum, since a composite
    // parent key of NULL fields, ROW(NULL, NULL), matches its equal.
    const KeyColumn &first = key.columns.front();
    return value_is_null(column_reference(parent_alias, first.parent_column),
                         first.parent_composite) +
           " AND " + key_is_checked(key, kChildAlias);
}

std::string orphan_from_where(const ForeignKey &key)
{
    if (key.temporal)
        return "FROM " + child_source(key) + " WHERE " + orphan_condition(key);
    return "FROM " + child_source(key) + " LEFT JOIN " + relation_scan(key.parent) + " " +
           std::string(kParentAlias) + " ON (" + key_equality(key, kParentAlias, kChildAlias) + ")" +
           " WHERE " + outer_join_orphan_test(key, kParentAlias);
}

namespace {

// ARRAY[each key column as its output function writes it (NULL stays NULL)],
// and the outer query's references to its elements, given the sample's
// expression there.
struct SampleArray {
    std::string array;
    std::vector<std::string> elements;
};

SampleArray sample_array(const ForeignKey &key, const std::string &sample)
{
    std::vector<std::string> values;
    SampleArray result;
    for (const auto &column : key.columns) {
        std::string value = column_reference(kChildAlias, column.child_column);
        // format('%s') uses the type's output function, as PostgreSQL's own
        // message does (a cast to text would print a boolean as "true").
        values.push_back("CASE WHEN " + value_is_not_null(value, column.child_composite) +
                         " THEN pg_catalog.format('%s', " +
                         value + ") COLLATE pg_catalog.\"C\" END");
        result.elements.push_back(sample + "[" + std::to_string(values.size()) + "]");
    }
    result.array = "ARRAY[" + join_list(values, ", ") + "]";
    return result;
}

}  // namespace

std::string orphan_count_and_sample_query(const ForeignKey &key)
{
    SampleArray sample = sample_array(key, "s.sample");
    return "SELECT s.orphans, " + join_list(sample.elements, ", ") +
           " FROM (SELECT pg_catalog.count(*) AS orphans, pg_catalog.min(" + sample.array +
           ") AS sample " + orphan_from_where(key) + ") s";
}

std::string distributed_orphan_count_and_sample_query(const ForeignKey &key)
{
    // text[]'s output quotes what its input needs quoted: the text reads
    // back as the same values, NULL as NULL.
    SampleArray sample = sample_array(key, "(s.sample::pg_catalog.text[])");
    return "SELECT s.orphans, " + join_list(sample.elements, ", ") +
           " FROM (SELECT pg_catalog.count(*) AS orphans, pg_catalog.min(" + sample.array +
           "::pg_catalog.text COLLATE pg_catalog.\"C\") AS sample " + orphan_from_where(key) +
           ") s";
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

std::string child_key_object(const ForeignKey &key)
{
    return key.child_primary_key.empty()
               ? std::string("NULL::pg_catalog.jsonb")
               : jsonb_object_of_columns(key.child_primary_key, kChildAlias);
}

std::string regclass_literal(const Relation &table)
{
    return quote_literal(quote_qualified(table.name)) + "::pg_catalog.regclass";
}

// The columns of fk_orphans(), for an orphan row of the child aliased fk.
std::string orphan_row_columns(const ForeignKey &key, OrphanColumns columns)
{
    return (key.declared ? quote_literal(key.name) : std::string("NULL")) + "::pg_catalog.name, " + std::string(kChildAlias) +
           ".tableoid::pg_catalog.regclass, " + regclass_literal(key.parent) + ", " +
           std::string(kChildAlias) + ".ctid, " + child_key_object(key) + ", " +
           missing_key_object(key) +
           (columns == OrphanColumns::Located ? ", NULL::pg_catalog.int8, NULL::pg_catalog.text"
                                              : "");
}

std::string limit_clause(std::optional<std::int64_t> limit)
{
    return limit ? " LIMIT " + std::to_string(*limit) : "";
}

}  // namespace

std::string orphan_rows_query(const ForeignKey &key, std::optional<std::int64_t> limit,
                              OrphanColumns columns)
{
    return "SELECT " + orphan_row_columns(key, columns) + " " + orphan_from_where(key) +
           limit_clause(limit);
}

std::string distributed_orphan_rows_query(const ForeignKey &key,
                                          std::optional<std::int64_t> limit,
                                          OrphanColumns columns)
{
    const Relation &child = key.child;
    // Pushed down: what the shards alone can say about each orphan, and the
    // name of the shard it was read from, as the worker writes it.
    std::string orphans =
        "SELECT " + std::string(kChildAlias) + ".ctid AS child_ctid, " +
        (child.is_citus_table() ? std::string(kChildAlias) +
                                      ".tableoid::pg_catalog.regclass::pg_catalog.text AS "
                                      "shard_name, "
                                : "") +
        child_key_object(key) + " AS child_key, " + missing_key_object(key) + " AS missing_key " +
        orphan_from_where(key) + limit_clause(limit);
    std::string query = "WITH o AS MATERIALIZED (" + orphans + ") SELECT " +
                        (key.declared ? quote_literal(key.name) : std::string("NULL")) +
                        "::pg_catalog.name, ";
    if (!child.is_citus_table()) {
        query += regclass_literal(child) + ", " + regclass_literal(key.parent) +
                 ", o.child_ctid, o.child_key, o.missing_key";
        if (columns == OrphanColumns::Located)
            query += ", NULL::pg_catalog.int8, NULL::pg_catalog.text";
        return query + " FROM o";
    }
    // The shard's Citus table: the child, or the partition of it that holds
    // the row (a partition of a distributed table is distributed with it).
    query += "COALESCE(w.logicalrelid, " + regclass_literal(child) + "), " +
             regclass_literal(key.parent) +
             ", CASE WHEN w.node IS NOT NULL THEN o.child_ctid END, o.child_key, o.missing_key";
    if (columns == OrphanColumns::Located)
        query += ", w.shardid, w.node";
    // The shard is named <table>_<shardid>; the node is its one placement's.
    return query +
           " FROM o LEFT JOIN LATERAL (SELECT s.logicalrelid, s.shardid, (SELECT "
           "pg_catalog.min(n.nodename OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) "
           "n.nodeport) FROM pg_catalog.pg_dist_placement p JOIN pg_catalog.pg_dist_node n "
           "ON n.groupid OPERATOR(pg_catalog.=) p.groupid "
           "WHERE p.shardid OPERATOR(pg_catalog.=) s.shardid "
           "HAVING pg_catalog.count(*) OPERATOR(pg_catalog.=) 1) AS node "
           "FROM pg_catalog.pg_dist_shard s WHERE s.shardid OPERATOR(pg_catalog.=) "
           "pg_catalog.substring(o.shard_name, '_([0-9]+)\"?$')::pg_catalog.int8) w ON true";
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

namespace {

std::vector<std::string> child_key_columns(const std::vector<const ForeignKey *> &keys)
{
    std::vector<std::string> columns;
    for (const ForeignKey *key : keys)
        for (const std::string &column : child_column_references(*key, kChildAlias))
            columns.push_back(column);
    return columns;
}

// The child as the key's checks read it (child_source: all of it, or a
// range of its blocks).
std::string child_scan(const ForeignKey &key) { return " FROM " + child_source(key); }

std::string row_location()
{
    std::string alias(kChildAlias);
    return alias + ".tableoid, " + alias + ".ctid";
}

// internal_schema.function($1, other arguments, the keys' child columns)
std::string key_sets_call(const std::string &internal_schema, const char *function,
                          const std::vector<const ForeignKey *> &keys,
                          const std::string &other_arguments = "")
{
    return quote_identifier(internal_schema) + "." + function + "($1, " + other_arguments +
           join_list(child_key_columns(keys), ", ") + ")";
}

}  // namespace

std::string parent_key_range_query(const ForeignKey &key)
{
    std::string column = column_reference(kParentAlias, key.columns.at(0).parent_column);
    return "SELECT pg_catalog.min(" + column + ")::pg_catalog.int8, pg_catalog.max(" + column +
           ")::pg_catalog.int8 FROM " + relation_scan(key.parent) + " " +
           std::string(kParentAlias);
}

std::string parent_key_bitmap_query(const ForeignKey &key, const std::string &internal_schema,
                                    std::int64_t least, std::uint64_t range)
{
    return "SELECT " + quote_identifier(internal_schema) + ".fk_key_bitmap(" +
           std::to_string(least) + ", " + std::to_string(range) + ", " +
           column_reference(kParentAlias, key.columns.at(0).parent_column) + ") FROM " +
           relation_scan(key.parent) + " " + std::string(kParentAlias);
}

std::string child_keys_query(const std::vector<const ForeignKey *> &keys, RowLocation location)
{
    std::vector<std::string> columns = child_key_columns(keys);
    if (location == RowLocation::Included)
        columns.insert(columns.begin(), row_location());
    return "SELECT " + join_list(columns, ", ") + child_scan(*keys.front());
}

std::string orphan_tally_query(const std::vector<const ForeignKey *> &keys,
                               const std::string &internal_schema)
{
    return "SELECT " + key_sets_call(internal_schema, "fk_orphan_tally", keys) +
           child_scan(*keys.front());
}

std::string orphan_filter_query(const ForeignKey &key, const std::string &internal_schema)
{
    return "SELECT " + row_location() + child_scan(key) + " WHERE " +
           key_sets_call(internal_schema, "fk_row_is_orphan", {&key});
}

std::string orphan_locations_query(const ForeignKey &key, const std::string &internal_schema,
                                   std::int64_t most)
{
    return "SELECT " +
           key_sets_call(internal_schema, "fk_orphan_locations", {&key},
                         std::to_string(most) + "::pg_catalog.int8, " + row_location() + ", ") +
           child_scan(key);
}

std::string orphan_rows_at_query(const ForeignKey &key, const Relation &table,
                                 const std::vector<RowAddress> &rows, OrphanColumns columns)
{
    std::vector<std::string> ctids;
    for (const RowAddress &row : rows)
        ctids.push_back("\"(" + std::to_string(row.block) + "," + std::to_string(row.offset) +
                        ")\"");
    return "SELECT " + orphan_row_columns(key, columns) + " FROM ONLY " + quote_qualified(table.name) +
           " " + std::string(kChildAlias) + " WHERE " + std::string(kChildAlias) +
           ".ctid OPERATOR(pg_catalog.=) ANY ('{" + join_list(ctids, ",") +
           "}'::pg_catalog.tid[])";
}

}  // namespace fkd
