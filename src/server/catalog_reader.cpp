#include "server/catalog_reader.hpp"

#include <string>
#include <unordered_map>
#include <vector>

#include "core/errors.hpp"
#include "server/catalog_query.hpp"
#include "server/citus_catalog.hpp"
#include "server/spi_executor.hpp"

extern "C" {
#include "nodes/nodes.h"
#include "optimizer/optimizer.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
}

namespace fkd {

namespace {

// The keys to read. With a table given, its own keys plus the clones it holds
// as a partition of a partitioned child; the hidden clones that point at the
// partitions of a partitioned parent (same conrelid as their parent
// constraint) are never keys of their own. With Citus, a whole-database
// call leaves out shards or shells (citus_catalog.hpp).
std::string key_selection(std::optional<Oid> child_table, const CitusNode &citus)
{
    if (child_table)
        return "c.conrelid = " + std::to_string(*child_table) +
               " AND (c.conparentid = 0 OR up.conrelid <> c.conrelid)";
    return "c.conparentid = 0"
           " AND NOT pg_catalog.pg_is_other_temp_schema(cr.relnamespace)"
           " AND pg_catalog.has_any_column_privilege(c.conrelid, 'SELECT')"
           // fkdoctor's own history tables are not the user's data, nor
           // are Citus's catalog tables.
           " AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
           " JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid"
           " WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.conrelid"
           " AND d.deptype = 'e' AND e.extname IN ('fkdoctor', 'citus', 'citus_columnar'))" +
           citus_whole_database_condition(citus);
}

// PostgreSQL 18's kinds of key: NOT ENFORCED (conenforced) and temporal
// (conperiod). Older catalogs have neither column: every key is enforced
// and none temporal.
#if PG_VERSION_NUM >= 180000
#define FKD_CONPERIOD "k.conperiod"
#define FKD_WHEN_NOT_ENFORCED "WHEN NOT k.conenforced THEN 'not enforced'"
#else
#define FKD_CONPERIOD "false"
#define FKD_WHEN_NOT_ENFORCED ""
#endif

// Whether the key's RI triggers fire in an ordinary session: a key declared
// NOT ENFORCED has none, by design; otherwise any disabled trigger, any
// replica-only one, or a leaf table of the child without its check trigger
// (a bug before 15.9 after DETACH PARTITION).
const char *kEnforcementQuery = R"SQL(
    WITH RECURSIVE tree AS (
        SELECT k.oid, k.conrelid
        UNION ALL
        SELECT c.oid, c.conrelid FROM pg_catalog.pg_constraint c JOIN tree t ON c.conparentid = t.oid)
    SELECT CASE )SQL" FKD_WHEN_NOT_ENFORCED R"SQL(
        WHEN pg_catalog.bool_or(tg.tgenabled = 'D') THEN 'disabled'
        WHEN pg_catalog.bool_or(tg.tgenabled = 'R') THEN 'replica only'
        WHEN EXISTS (
            SELECT FROM tree leaf JOIN pg_catalog.pg_class r ON r.oid = leaf.conrelid AND r.relkind = 'r'
            WHERE NOT EXISTS (
                SELECT FROM pg_catalog.pg_trigger ct
                WHERE ct.tgrelid = leaf.conrelid
                  AND ct.tgconstraint IN (SELECT oid FROM tree)
                  AND ct.tgfoid = 'pg_catalog."RI_FKey_check_ins"'::pg_catalog.regproc))
            THEN 'missing triggers'
        ELSE 'enabled' END AS enforcement
    FROM tree t LEFT JOIN pg_catalog.pg_trigger tg ON tg.tgconstraint = t.oid)SQL";

// A valid index on the child whose leading key columns are the key's
// columns, in any order (an index a failed CREATE INDEX CONCURRENTLY left
// invalid serves no query); for a temporal key a GiST index too, which
// serves its && on the period.
const char *kChildIndexQuery = R"SQL(
    SELECT i.indexrelid
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_am am ON am.oid = ic.relam
    WHERE i.indrelid = k.conrelid AND i.indisvalid AND i.indpred IS NULL
      AND (am.amname IN ('btree', 'hash') OR (am.amname = 'gist' AND )SQL" FKD_CONPERIOD R"SQL())
      AND i.indnkeyatts >= pg_catalog.cardinality(k.conkey)
      AND (pg_catalog.string_to_array(i.indkey::pg_catalog.text, ' ')::pg_catalog.int2[])
              [1:pg_catalog.cardinality(k.conkey)] OPERATOR(pg_catalog.@>) k.conkey
    ORDER BY i.indnkeyatts, ic.relname COLLATE pg_catalog."C"
    LIMIT 1)SQL";

// The parent's columns outside the key that an INSERT of a bare key would
// leave NULL although they are NOT NULL (no default, not identity, not generated).
const char *kParentRequiredColumnsQuery = R"SQL(
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) AS required_columns
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = k.confrelid AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull
      AND a.atthasdef = false AND a.attidentity = '' AND a.attgenerated = ''
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid AND t.typdefaultbin IS NOT NULL)
      AND a.attnum <> ALL (k.confkey))SQL";

// The owner of the table aliased as t, when a generated statement on it
// should run as that owner: the caller is not the owner and may SET ROLE to
// it (PostgreSQL 16 made that a membership option of its own).
#if PG_VERSION_NUM >= 160000
#define FKD_MAY_SET_ROLE "'SET'"
#else
#define FKD_MAY_SET_ROLE "'MEMBER'"
#endif
#define FKD_STATEMENT_ROLE(t)                                                           \
    "CASE WHEN " t ".relowner <> CURRENT_USER::pg_catalog.regrole AND "                \
    "pg_catalog.pg_has_role(" t ".relowner, " FKD_MAY_SET_ROLE ") "                     \
    "THEN pg_catalog.pg_get_userbyid(" t ".relowner) END"

// The keys to read, as a WITH clause named keys.
std::string keys_clause(std::optional<Oid> child_table, const CitusNode &citus)
{
    return std::string(R"SQL(
WITH keys AS (
    SELECT c.*
    FROM pg_catalog.pg_constraint c
    JOIN pg_catalog.pg_class cr ON cr.oid = c.conrelid
    LEFT JOIN pg_catalog.pg_constraint up ON up.oid = c.conparentid
    WHERE c.contype = 'f' AND )SQL") + key_selection(child_table, citus) + ")";
}

// Both tables of every key to read.
std::string key_tables_query(std::optional<Oid> child_table, const CitusNode &citus)
{
    return keys_clause(child_table, citus) + R"SQL(
SELECT DISTINCT t.oid AS table_oid
FROM keys k CROSS JOIN LATERAL (VALUES (k.conrelid), (k.confrelid)) t(oid)
ORDER BY 1)SQL";
}

// The columns of the key query: one row per key column, in conkey order.
// Key-level fields repeat on each of a key's rows.
namespace key_field {
constexpr Field oid{"key_oid", "k.oid", FieldType::Oid};
constexpr Field name{"key_name", "k.conname", FieldType::Name};
constexpr Field child_oid{"child_oid", "k.conrelid", FieldType::Oid};
constexpr Field child_schema{"child_schema", "cn.nspname", FieldType::Name};
constexpr Field child_name{"child_name", "cr.relname", FieldType::Name};
constexpr Field child_kind{"child_kind", "cr.relkind", FieldType::Char};
constexpr Field child_owner{"child_owner", "cr.relowner", FieldType::Oid};
constexpr Field parent_oid{"parent_oid", "k.confrelid", FieldType::Oid};
constexpr Field parent_schema{"parent_schema", "pn.nspname", FieldType::Name};
constexpr Field parent_name{"parent_name", "pr.relname", FieldType::Name};
constexpr Field parent_kind{"parent_kind", "pr.relkind", FieldType::Char};
constexpr Field parent_owner{"parent_owner", "pr.relowner", FieldType::Oid};
constexpr Field match_type{"match_type", "k.confmatchtype", FieldType::Char};
constexpr Field on_update{"on_update", "k.confupdtype", FieldType::Char};
constexpr Field on_delete{"on_delete", "k.confdeltype", FieldType::Char};
constexpr Field validated{"validated", "k.convalidated", FieldType::Bool};
constexpr Field deferrable{"is_deferrable", "k.condeferrable", FieldType::Bool};
constexpr Field deferred{"is_deferred", "k.condeferred", FieldType::Bool};
constexpr Field enforcement{"enforcement", "e.enforcement", FieldType::Text};
constexpr Field child_index{"child_index", "ix.indexrelid", FieldType::Oid};
constexpr Field child_readable{
    "child_readable", "pg_catalog.has_table_privilege(k.conrelid, 'SELECT')", FieldType::Bool};
constexpr Field child_schema_usable{
    "child_schema_usable", "pg_catalog.has_schema_privilege(cr.relnamespace, 'USAGE')",
    FieldType::Bool};
constexpr Field parent_schema_usable{
    "parent_schema_usable", "pg_catalog.has_schema_privilege(pr.relnamespace, 'USAGE')",
    FieldType::Bool};
constexpr Field child_row_security{
    "child_row_security", "pg_catalog.row_security_active(k.conrelid)", FieldType::Bool};
constexpr Field parent_row_security{
    "parent_row_security", "pg_catalog.row_security_active(k.confrelid)", FieldType::Bool};
constexpr Field checker_under_parent_policy{
    "checker_under_parent_policy",
    "pr.relrowsecurity AND pr.relowner <> cr.relowner AND NOT EXISTS ("
    "SELECT FROM pg_catalog.pg_roles r "
    "WHERE r.oid = cr.relowner AND (r.rolsuper OR r.rolbypassrls))",
    FieldType::Bool};
constexpr Field child_statement_role{"child_statement_role", FKD_STATEMENT_ROLE("cr"),
                                     FieldType::Name};
constexpr Field parent_statement_role{"parent_statement_role", FKD_STATEMENT_ROLE("pr"),
                                      FieldType::Name};
constexpr Field caller_role{"caller_role",
                            "CASE WHEN CURRENT_USER <> SESSION_USER THEN CURRENT_USER END",
                            FieldType::Name};
constexpr Field parent_accepts_bare_keys{
    "parent_accepts_bare_keys", "pr.relkind IN ('r', 'p') AND pi.required_columns IS NULL",
    FieldType::Bool};
constexpr Field child_subscribed{
    "child_subscribed",
    "EXISTS (SELECT FROM pg_catalog.pg_subscription_rel sr WHERE sr.srrelid = k.conrelid "
    "OR sr.srrelid IN (SELECT relid FROM pg_catalog.pg_partition_tree(k.conrelid)))",
    FieldType::Bool};
constexpr Field temporal{"temporal", FKD_CONPERIOD, FieldType::Bool};
constexpr Field child_referenced{
    "child_referenced",
    "EXISTS (SELECT FROM pg_catalog.pg_constraint r "
    "WHERE r.contype = 'f' AND r.confrelid = k.conrelid)",
    FieldType::Bool};
}  // namespace key_field

namespace column_field {
constexpr Field child_column{"child_column", "ca.attname", FieldType::Name};
constexpr Field child_type{"child_type", "ca.atttypid", FieldType::Oid};
constexpr Field child_typmod{"child_typmod", "ca.atttypmod", FieldType::Int4};
constexpr Field child_not_null{"child_not_null", "ca.attnotnull", FieldType::Bool};
// PostgreSQL 18 keeps NOT NULL constraints in pg_constraint, possibly NOT
// VALID: attnotnull is then true while stored rows may hold NULLs.
constexpr Field child_not_null_unvalidated{
    "child_not_null_unvalidated",
#if PG_VERSION_NUM >= 180000
    "EXISTS (SELECT FROM pg_catalog.pg_constraint nn WHERE nn.conrelid = ca.attrelid "
    "AND nn.contype = 'n' AND nn.conkey[1] = ca.attnum AND NOT nn.convalidated)",
#else
    "false",
#endif
    FieldType::Bool};
// Collations that differ where one is nondeterministic: PostgreSQL 18
// refuses such a key (ATAddForeignKeyConstraint), so upgrading to 18 fails.
constexpr Field collations_refused_by_18{
    "collations_refused_by_18",
    "ca.attcollation <> pa.attcollation AND EXISTS (SELECT FROM pg_catalog.pg_collation nd "
    "WHERE nd.oid IN (ca.attcollation, pa.attcollation) AND NOT nd.collisdeterministic)",
    FieldType::Bool};
// Equality of the two columns is equality of their bytes (for a text key,
// when neither collation is nondeterministic).
constexpr Field compared_by_bytes{
    "compared_by_bytes",
    "NOT EXISTS (SELECT FROM pg_catalog.pg_collation nd "
    "WHERE nd.oid IN (ca.attcollation, pa.attcollation) AND NOT nd.collisdeterministic)",
    FieldType::Bool};
constexpr Field child_default{
    "child_default",
    "COALESCE(pg_catalog.pg_get_expr(cd.adbin, cd.adrelid), "
    "pg_catalog.pg_get_expr(ct.typdefaultbin, 0))",
    FieldType::Text};
constexpr Field child_default_node{"child_default_node",
                                   "COALESCE(cd.adbin, ct.typdefaultbin)::pg_catalog.text",
                                   FieldType::Text};
constexpr Field child_identity{"child_identity", "ca.attidentity <> ''", FieldType::Bool};
constexpr Field child_generated{"child_generated", "ca.attgenerated <> ''", FieldType::Bool};
constexpr Field set_by_on_delete{
    "set_by_on_delete",
    "k.confdelsetcols IS NULL OR pg_catalog.cardinality(k.confdelsetcols) = 0 "
    "OR col.child_attnum = ANY (k.confdelsetcols)",
    FieldType::Bool};
constexpr Field parent_column{"parent_column", "pa.attname", FieldType::Name};
constexpr Field parent_type{"parent_type", "pa.atttypid", FieldType::Oid};
constexpr Field parent_typmod{"parent_typmod", "pa.atttypmod", FieldType::Int4};
constexpr Field parent_readable{
    "parent_column_readable",
    "pg_catalog.has_column_privilege(k.confrelid, col.parent_attnum, 'SELECT')", FieldType::Bool};
constexpr Field checker_reads_parent{
    "checker_reads_parent",
    "pg_catalog.has_column_privilege(cr.relowner, k.confrelid, col.parent_attnum, 'SELECT') "
    "AND pg_catalog.has_schema_privilege(cr.relowner, pr.relnamespace, 'USAGE')",
    FieldType::Bool};
constexpr Field parent_not_insertable{"parent_not_insertable",
                                      "pa.attgenerated <> '' OR pa.attidentity = 'a'",
                                      FieldType::Bool};
constexpr Field parent_from_sequence{
    "parent_from_sequence",
    "pa.attidentity = 'd' OR EXISTS (SELECT FROM pg_catalog.pg_attrdef pd "
    "JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass "
    "AND d.objid = pd.oid "
    "JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' "
    "WHERE pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum)",
    FieldType::Bool};
constexpr Field parent_equality{"parent_equality", "col.parent_eqop", FieldType::Oid};
constexpr Field operator_schema{"operator_schema", "opn.nspname", FieldType::Name};
constexpr Field operator_name{"operator_name", "op.oprname", FieldType::Name};
constexpr Field left_type{"left_type", "op.oprleft", FieldType::Oid};
constexpr Field left_type_schema{"left_type_schema", "ltn.nspname", FieldType::Name};
constexpr Field left_type_name{"left_type_name", "lt.typname", FieldType::Name};
constexpr Field right_type{"right_type", "op.oprright", FieldType::Oid};
constexpr Field right_type_schema{"right_type_schema", "rtn.nspname", FieldType::Name};
constexpr Field right_type_name{"right_type_name", "rt.typname", FieldType::Name};
constexpr Field collation_schema{
    "collation_schema", "CASE WHEN ca.attcollation <> pa.attcollation THEN colln.nspname END",
    FieldType::Name};
constexpr Field collation_name{
    "collation_name", "CASE WHEN ca.attcollation <> pa.attcollation THEN coll.collname END",
    FieldType::Name};
}  // namespace column_field

std::vector<const Field *> key_query_fields()
{
    using namespace key_field;
    namespace c = column_field;
    return {&oid, &name, &child_oid, &child_schema, &child_name, &child_kind, &child_owner,
            &parent_oid, &parent_schema, &parent_name, &parent_kind, &parent_owner,
            &match_type, &on_update, &on_delete, &validated, &deferrable, &deferred,
            &enforcement, &child_index, &child_readable, &child_schema_usable,
            &parent_schema_usable, &child_row_security, &parent_row_security,
            &checker_under_parent_policy, &caller_role, &child_statement_role,
            &parent_statement_role, &parent_accepts_bare_keys, &child_subscribed,
            &child_referenced, &temporal,
            &c::child_column, &c::child_type, &c::child_typmod, &c::child_not_null,
            &c::child_not_null_unvalidated, &c::collations_refused_by_18, &c::compared_by_bytes,
            &c::child_default, &c::child_default_node, &c::child_identity, &c::child_generated,
            &c::set_by_on_delete, &c::parent_column, &c::parent_type, &c::parent_typmod,
            &c::parent_readable, &c::checker_reads_parent, &c::parent_not_insertable,
            &c::parent_from_sequence, &c::parent_equality, &c::operator_schema,
            &c::operator_name, &c::left_type, &c::left_type_schema, &c::left_type_name,
            &c::right_type, &c::right_type_schema, &c::right_type_name, &c::collation_schema,
            &c::collation_name};
}

// One row per key column, in conkey order.
std::string key_columns_query(const std::string &keys)
{
    return keys + "\nSELECT " + select_list(key_query_fields()) + R"SQL(
FROM keys k
CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(k.conkey), pg_catalog.unnest(k.confkey),
                              pg_catalog.unnest(k.conpfeqop), pg_catalog.unnest(k.conppeqop))
    WITH ORDINALITY AS col(child_attnum, parent_attnum, eqop, parent_eqop, n)
JOIN pg_catalog.pg_class cr ON cr.oid = k.conrelid
JOIN pg_catalog.pg_namespace cn ON cn.oid = cr.relnamespace
JOIN pg_catalog.pg_class pr ON pr.oid = k.confrelid
JOIN pg_catalog.pg_namespace pn ON pn.oid = pr.relnamespace
JOIN pg_catalog.pg_attribute ca ON ca.attrelid = k.conrelid AND ca.attnum = col.child_attnum
JOIN pg_catalog.pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = col.parent_attnum
JOIN pg_catalog.pg_operator op ON op.oid = col.eqop
JOIN pg_catalog.pg_namespace opn ON opn.oid = op.oprnamespace
JOIN pg_catalog.pg_type lt ON lt.oid = op.oprleft
JOIN pg_catalog.pg_namespace ltn ON ltn.oid = lt.typnamespace
JOIN pg_catalog.pg_type rt ON rt.oid = op.oprright
JOIN pg_catalog.pg_namespace rtn ON rtn.oid = rt.typnamespace
LEFT JOIN pg_catalog.pg_collation coll ON coll.oid = pa.attcollation
LEFT JOIN pg_catalog.pg_namespace colln ON colln.oid = coll.collnamespace
LEFT JOIN pg_catalog.pg_attrdef cd ON cd.adrelid = ca.attrelid AND cd.adnum = ca.attnum
JOIN pg_catalog.pg_type ct ON ct.oid = ca.atttypid
LEFT JOIN LATERAL ()SQL" + kParentRequiredColumnsQuery + R"SQL() pi ON true
LEFT JOIN LATERAL ()SQL" + kEnforcementQuery + R"SQL() e ON true
LEFT JOIN LATERAL ()SQL" + kChildIndexQuery + R"SQL() ix ON true
ORDER BY cn.nspname COLLATE pg_catalog."C", cr.relname COLLATE pg_catalog."C",
         k.conname COLLATE pg_catalog."C", k.oid, col.n)SQL";
}

// The type as SQL that means the same under any search_path: schema-
// qualified unless it is one of the grammar's own type names (integer,
// character varying(3), ...), with the typmod.
std::string type_sql(Oid type, int typmod)
{
    return pg_call([type, typmod]() noexcept {
        return static_cast<const char *>(format_type_extended(
            type, typmod, FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY));
    });
}

// Whether values of the type are rows (a composite type, or a domain over
// one), as PostgreSQL's IS NULL judges it.
bool type_is_composite(Oid type)
{
    return pg_call([type]() noexcept { return type_is_rowtype(type); });
}

// Whether op is the type's default equality, the one DISTINCT compares
// with (the type cache's, from its default btree or hash operator class).
bool is_default_equality(Oid type, Oid op)
{
    return pg_call([type, op]() noexcept {
        return lookup_type_cache(type, TYPECACHE_EQ_OPR)->eq_opr == op;
    });
}

// Whether an expression (a pg_node_tree, as pg_attrdef.adbin) calls a
// volatile function, as PostgreSQL's planner judges it.
bool expression_is_volatile(const std::optional<std::string> &node_tree)
{
    if (!node_tree)
        return false;
    const char *tree = node_tree->c_str();
    return pg_call([tree]() noexcept {
        return contain_volatile_functions(static_cast<Node *>(stringToNode(tree)));
    });
}

Relation relation(const CatalogRows &rows, std::size_t n, const Field &oid, const Field &schema,
                  const Field &name, const Field &kind, const Field &owner,
                  const Field &statement_role)
{
    Relation relation{rows.oid(n, oid), {rows.text(n, schema), rows.text(n, name)},
                      rows.code(n, kind), rows.oid(n, owner), std::nullopt};
    if (std::optional<std::string> role = rows.optional_text(n, statement_role))
        relation.statement_role =
            StatementRole{*role, rows.optional_text(n, key_field::caller_role)};
    return relation;
}

ForeignKey key_from_row(const CatalogRows &rows, std::size_t n)
{
    using namespace key_field;
    ForeignKey key;
    key.oid = rows.oid(n, oid);
    key.name = rows.text(n, name);
    key.child = relation(rows, n, child_oid, child_schema, child_name, child_kind, child_owner,
                         child_statement_role);
    key.parent = relation(rows, n, parent_oid, parent_schema, parent_name, parent_kind,
                          parent_owner, parent_statement_role);
    key.match = match_type_from_code(rows.code(n, match_type));
    key.on_update = action_from_code(rows.code(n, on_update));
    key.on_delete = action_from_code(rows.code(n, on_delete));
    key.validated = rows.flag(n, validated);
    key.deferrable = rows.flag(n, deferrable);
    key.initially_deferred = rows.flag(n, deferred);
    key.enforcement = enforcement_from_text(rows.text(n, enforcement));
    key.child_index = rows.optional_oid(n, child_index).value_or(0);
    key.child_readable = rows.flag(n, child_readable);
    key.child_schema_usable = rows.flag(n, child_schema_usable);
    key.parent_schema_usable = rows.flag(n, parent_schema_usable);
    key.child_row_security = rows.flag(n, child_row_security);
    key.parent_row_security = rows.flag(n, parent_row_security);
    key.checker_under_parent_policy = rows.flag(n, checker_under_parent_policy);
    key.parent_accepts_bare_keys = rows.flag(n, parent_accepts_bare_keys);
    key.child_is_subscribed = rows.flag(n, child_subscribed);
    key.child_is_referenced = rows.flag(n, child_referenced);
    key.temporal = rows.flag(n, temporal);
    return key;
}

KeyColumn column_from_row(const CatalogRows &rows, std::size_t n)
{
    using namespace column_field;
    KeyColumn column;
    column.child_column = rows.text(n, child_column);
    column.child_type = rows.oid(n, child_type);
    column.child_not_null = rows.flag(n, child_not_null);
    column.child_not_null_unvalidated = rows.flag(n, child_not_null_unvalidated);
    column.collations_refused_by_18 = rows.flag(n, collations_refused_by_18);
    column.compared_by_bytes = rows.flag(n, compared_by_bytes);
    column.parent_column = rows.text(n, parent_column);
    column.parent_type = rows.oid(n, parent_type);
    column.child_composite = type_is_composite(column.child_type);
    column.parent_composite = type_is_composite(column.parent_type);
    column.parent_default_equality =
        is_default_equality(column.parent_type, rows.oid(n, parent_equality));
    column.equality.name = {rows.text(n, operator_schema), rows.text(n, operator_name)};
    column.equality.left_type = rows.oid(n, left_type);
    column.equality.left_type_name = {rows.text(n, left_type_schema), rows.text(n, left_type_name)};
    column.equality.right_type = rows.oid(n, right_type);
    column.equality.right_type_name = {rows.text(n, right_type_schema),
                                       rows.text(n, right_type_name)};
    if (std::optional<std::string> collation = rows.optional_text(n, collation_name))
        column.comparison_collation = QualifiedName{rows.text(n, collation_schema), *collation};
    column.child_default = rows.optional_text(n, child_default);
    column.parent_type_name = type_sql(column.parent_type, rows.int4(n, parent_typmod));
    column.child_type_name = type_sql(column.child_type, rows.int4(n, child_typmod));
    column.parent_insertable = !rows.flag(n, parent_not_insertable);
    column.child_generated = rows.flag(n, child_generated);
    column.child_default_volatile = rows.flag(n, child_identity) ||
                                    expression_is_volatile(rows.optional_text(n, child_default_node));
    column.set_by_on_delete = rows.flag(n, set_by_on_delete);
    column.parent_from_sequence = rows.flag(n, parent_from_sequence);
    return column;
}

// '{1,2,3}'::pg_catalog.oid[] of what pick() gives for each key.
template <typename Pick>
std::string oid_array(const KeyList &keys, Pick pick)
{
    std::string oids;
    for (const auto &key : keys)
        oids += (oids.empty() ? "" : ",") + std::to_string(pick(key));
    return "'{" + oids + "}'::pg_catalog.oid[]";
}

// The keys by what pick() gives for each (several keys can share it).
template <typename Pick>
std::unordered_map<Oid, std::vector<ForeignKey *>> keys_by(KeyList &keys, Pick pick)
{
    std::unordered_map<Oid, std::vector<ForeignKey *>> by;
    for (ForeignKey &key : keys)
        by[pick(key)].push_back(&key);
    return by;
}

constexpr Field kOwnerField{"owner", "owner", FieldType::Oid};

// Rows whose column owner (among fields) is an OID that pick() gives for a
// key: hands each key its rows, in order, in one pass.
template <typename Pick, typename Take>
void distribute_rows(const std::string &query, const std::vector<const Field *> &fields,
                     KeyList &keys, Pick pick, Take take)
{
    CatalogRows rows(query, fields);
    auto by_owner = keys_by(keys, pick);
    for (std::size_t n = 0; n < rows.size(); ++n) {
        auto found = by_owner.find(rows.oid(n, kOwnerField));
        if (found != by_owner.end())
            for (ForeignKey *key : found->second)
                take(*key, rows, n);
    }
}

constexpr Field kColumnName{"column_name", "a.attname", FieldType::Name};

void load_primary_keys(KeyList &keys)
{
    auto child = [](const ForeignKey &key) { return key.child.oid; };
    distribute_rows(R"SQL(
SELECT c.conrelid AS owner, a.attname AS column_name
FROM pg_catalog.pg_constraint c
CROSS JOIN LATERAL pg_catalog.unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
WHERE c.contype = 'p' AND c.conrelid = ANY ()SQL" + oid_array(keys, child) + R"SQL()
ORDER BY c.conrelid, k.n)SQL",
                    {&kOwnerField, &kColumnName}, keys, child,
                    [](ForeignKey &key, const CatalogRows &rows, std::size_t n) {
                        key.child_primary_key.push_back(rows.text(n, kColumnName));
                    });
}

constexpr Field kTriggerSchema{"trigger_schema", "n.nspname", FieldType::Name};
constexpr Field kTriggerTable{"trigger_table", "r.relname", FieldType::Name};
constexpr Field kTriggerName{"trigger_name", "tg.tgname", FieldType::Name};

// The key's RI triggers, on its own tables and its clones' partitions, that
// an ordinary session does not fire.
void load_unenforced_triggers(KeyList &keys)
{
    auto self = [](const ForeignKey &key) { return key.oid; };
    distribute_rows(R"SQL(
WITH RECURSIVE tree AS (
    SELECT c.oid AS root, c.oid FROM pg_catalog.pg_constraint c
    WHERE c.oid = ANY ()SQL" + oid_array(keys, self) + R"SQL()
    UNION ALL
    SELECT t.root, c.oid FROM pg_catalog.pg_constraint c JOIN tree t ON c.conparentid = t.oid)
SELECT t.root AS owner, )SQL" + select_list({&kTriggerSchema, &kTriggerTable, &kTriggerName}) + R"SQL(
FROM tree t
JOIN pg_catalog.pg_trigger tg ON tg.tgconstraint = t.oid
JOIN pg_catalog.pg_class r ON r.oid = tg.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
WHERE tg.tgenabled IN ('D', 'R')
ORDER BY t.root, n.nspname COLLATE pg_catalog."C", r.relname COLLATE pg_catalog."C",
         tg.tgname COLLATE pg_catalog."C")SQL",
                    {&kOwnerField, &kTriggerSchema, &kTriggerTable, &kTriggerName}, keys, self,
                    [](ForeignKey &key, const CatalogRows &rows, std::size_t n) {
                        key.unenforced_triggers.push_back(
                            {{rows.text(n, kTriggerSchema), rows.text(n, kTriggerTable)},
                             rows.text(n, kTriggerName)});
                    });
}

constexpr Field kTableOid{"table_oid", "t.oid", FieldType::Oid};

// AccessShareLock on both tables of every key, before their definitions
// are read and trusted: a table cannot change under a check, nor be dropped.
void lock_key_tables(std::optional<Oid> child_table, const CitusNode &citus)
{
    CatalogRows tables(key_tables_query(child_table, citus), {&kTableOid});
    for (std::size_t n = 0; n < tables.size(); ++n) {
        Oid table = tables.oid(n, kTableOid);
        pg_call([table]() noexcept { LockRelationOid(table, AccessShareLock); });
    }
}

// The keys of a WITH clause named keys (pg_constraint rows) into the model.
void read_key_rows(const std::string &keys_with_clause, CatalogSnapshot snapshot, KeyList &keys)
{
    with_settings({{"join_collapse_limit", "1"}, {"enable_hashjoin", "off"},
                   {"enable_mergejoin", "off"}}, [&] {
        CatalogRows rows(key_columns_query(keys_with_clause), key_query_fields(), snapshot);
        for (std::size_t n = 0; n < rows.size(); ++n) {
            if (keys.empty() || keys.back().oid != rows.oid(n, key_field::oid))
                keys.push_back(key_from_row(rows, n));
            ForeignKey &key = keys.back();
            key.columns.push_back(column_from_row(rows, n));
            key.parent_readable =
                key.parent_readable && rows.flag(n, column_field::parent_readable);
            key.checker_reads_parent =
                key.checker_reads_parent && rows.flag(n, column_field::checker_reads_parent);
        }
    });
}

void load_keys(std::optional<Oid> child_table, KeyUse use, const CitusNode &citus,
               KeyList &keys)
{
    if (use == KeyUse::ReadTables)
        lock_key_tables(child_table, citus);
    // The query is written in the order to join in: from the keys out, by
    // oid, each lookup through an index. Searching for another order was
    // half of a call's fixed cost (5.6 ms, now 2.7), and the partition-tree
    // subqueries, whose size the planner overestimates, became hash and
    // merge joins that read all of pg_constraint and pg_trigger for each key
    // (1,500 keys: 1.45 s, now 0.25).
    // Once the tables are locked, under a new snapshot: what any DDL that
    // committed before the locks changed is seen.
    read_key_rows(keys_clause(child_table, citus),
                  use == KeyUse::ReadTables ? CatalogSnapshot::New : CatalogSnapshot::Callers,
                  keys);
    if (keys.empty())
        return;
    load_primary_keys(keys);
    load_unenforced_triggers(keys);
    load_citus_tables(citus, keys);
}

}  // namespace

void load_foreign_keys(std::optional<Oid> child_table, KeyUse use, KeyList &keys)
{
    CitusNode citus = citus_node();
    with_shards_visible(citus, [&] { load_keys(child_table, use, citus, keys); });
}

void load_key_like_constraint(const std::string &constraint_row, KeyList &keys)
{
    // The same query as for a declared key, over a made-up pg_constraint
    // row; the tables are locked by the caller.
    read_key_rows("WITH keys AS (" + constraint_row + ")", CatalogSnapshot::New, keys);
    if (keys.empty())
        return;
    load_primary_keys(keys);
}

}  // namespace fkd
