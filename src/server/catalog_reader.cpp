#include "server/catalog_reader.hpp"

#include <string>

#include "core/errors.hpp"
#include "server/spi_executor.hpp"

extern "C" {
#include "nodes/nodes.h"
#include "optimizer/optimizer.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
}

namespace fkd {

namespace {

// The keys to read. With a table given, its own keys plus the clones it holds
// as a partition of a partitioned child; the hidden clones that point at the
// partitions of a partitioned parent (same conrelid as their parent
// constraint) are never keys of their own.
std::string key_selection(std::optional<Oid> child_table)
{
    if (child_table)
        return "c.conrelid = " + std::to_string(*child_table) +
               " AND (c.conparentid = 0 OR up.conrelid <> c.conrelid)";
    return "c.conparentid = 0"
           " AND NOT pg_catalog.pg_is_other_temp_schema(cr.relnamespace)"
           " AND pg_catalog.has_any_column_privilege(c.conrelid, 'SELECT')"
           // fkdoctor's own history tables are not the user's data.
           " AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
           " JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid"
           " WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.conrelid"
           " AND d.deptype = 'e' AND e.extname = 'fkdoctor')";
}

// Whether the key's RI triggers fire in an ordinary session: any disabled
// trigger, any replica-only one, or a leaf table of the child without its
// check trigger (a bug before 15.9 after DETACH PARTITION).
const char *kEnforcementQuery = R"SQL(
    WITH RECURSIVE tree AS (
        SELECT k.oid, k.conrelid
        UNION ALL
        SELECT c.oid, c.conrelid FROM pg_catalog.pg_constraint c JOIN tree t ON c.conparentid = t.oid)
    SELECT CASE
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
// invalid serves no query).
const char *kChildIndexQuery = R"SQL(
    SELECT i.indexrelid
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_am am ON am.oid = ic.relam
    WHERE i.indrelid = k.conrelid AND i.indisvalid AND i.indpred IS NULL
      AND am.amname IN ('btree', 'hash')
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

// The owner of the table aliased as given, when a generated statement on it
// should run as that owner: the caller is not the owner and may SET ROLE to it.
std::string statement_role(const std::string &table)
{
#if PG_VERSION_NUM >= 160000
    const char *may_set_role = "'SET'";
#else
    const char *may_set_role = "'MEMBER'";
#endif
    return "CASE WHEN " + table + ".relowner <> CURRENT_USER::pg_catalog.regrole "
           "AND pg_catalog.pg_has_role(" + table + ".relowner, " + may_set_role + ") "
           "THEN pg_catalog.pg_get_userbyid(" + table + ".relowner) END";
}

// The keys to read, as a WITH clause named keys.
std::string keys_clause(std::optional<Oid> child_table)
{
    return std::string(R"SQL(
WITH keys AS (
    SELECT c.*
    FROM pg_catalog.pg_constraint c
    JOIN pg_catalog.pg_class cr ON cr.oid = c.conrelid
    LEFT JOIN pg_catalog.pg_constraint up ON up.oid = c.conparentid
    WHERE c.contype = 'f' AND )SQL") + key_selection(child_table) + ")";
}

// Both tables of every key to read.
std::string key_tables_query(std::optional<Oid> child_table)
{
    return keys_clause(child_table) + R"SQL(
SELECT DISTINCT t.oid FROM keys k CROSS JOIN LATERAL (VALUES (k.conrelid), (k.confrelid)) t(oid)
ORDER BY t.oid)SQL";
}

// One row per key column, in conkey order; the columns are listed in Field.
std::string key_columns_query(std::optional<Oid> child_table)
{
    return keys_clause(child_table) + R"SQL(
SELECT k.oid, k.conname,
       k.conrelid, cn.nspname, cr.relname, cr.relkind,
       k.confrelid, pn.nspname, pr.relname, pr.relkind,
       k.confmatchtype, k.confupdtype, k.confdeltype,
       k.convalidated, k.condeferrable, k.condeferred,
       e.enforcement, ix.indexrelid,
       pg_catalog.has_table_privilege(k.conrelid, 'SELECT'),
       pg_catalog.has_column_privilege(k.confrelid, col.parent_attnum, 'SELECT'),
       pg_catalog.row_security_active(k.conrelid),
       pg_catalog.row_security_active(k.confrelid),
       ca.attname, ca.atttypid, ca.attnotnull,
       pa.attname, pa.atttypid,
       opn.nspname, op.oprname,
       op.oprleft, ltn.nspname, lt.typname,
       op.oprright, rtn.nspname, rt.typname,
       CASE WHEN ca.attcollation <> pa.attcollation THEN colln.nspname END,
       CASE WHEN ca.attcollation <> pa.attcollation THEN coll.collname END,
       COALESCE(pg_catalog.pg_get_expr(cd.adbin, cd.adrelid), pg_catalog.pg_get_expr(ct.typdefaultbin, 0)),
       pa.atttypmod,
       pa.attgenerated <> '' OR pa.attidentity = 'a',
       pr.relkind IN ('r', 'p') AND pi.required_columns IS NULL,
       ca.atttypmod,
       EXISTS (SELECT FROM pg_catalog.pg_subscription_rel sr
               WHERE sr.srrelid = k.conrelid
                  OR sr.srrelid IN (SELECT relid FROM pg_catalog.pg_partition_tree(k.conrelid))),
       COALESCE(cd.adbin, ct.typdefaultbin)::pg_catalog.text,
       ca.attidentity <> '', ca.attgenerated <> '',
       k.confdelsetcols IS NULL OR pg_catalog.cardinality(k.confdelsetcols) = 0
           OR col.child_attnum = ANY (k.confdelsetcols),
       pa.attidentity = 'd' OR EXISTS (
           SELECT FROM pg_catalog.pg_attrdef pd
           JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND d.objid = pd.oid
           JOIN pg_catalog.pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
           WHERE pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum),
       cr.relowner, pr.relowner,
       pg_catalog.has_schema_privilege(cr.relnamespace, 'USAGE'),
       pg_catalog.has_schema_privilege(pr.relnamespace, 'USAGE'),
       pg_catalog.has_column_privilege(cr.relowner, k.confrelid, col.parent_attnum, 'SELECT')
           AND pg_catalog.has_schema_privilege(cr.relowner, pr.relnamespace, 'USAGE'),
       pr.relrowsecurity AND pr.relowner <> cr.relowner AND NOT EXISTS (
           SELECT FROM pg_catalog.pg_roles r
           WHERE r.oid = cr.relowner AND (r.rolsuper OR r.rolbypassrls)),
       )SQL" + statement_role("cr") + R"SQL(,
       )SQL" + statement_role("pr") + R"SQL(,
       CASE WHEN CURRENT_USER <> SESSION_USER THEN CURRENT_USER END,
       EXISTS (SELECT FROM pg_catalog.pg_constraint r
               WHERE r.contype = 'f' AND r.confrelid = k.conrelid)
FROM keys k
CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(k.conkey), pg_catalog.unnest(k.confkey),
                              pg_catalog.unnest(k.conpfeqop)) WITH ORDINALITY AS col(child_attnum, parent_attnum, eqop, n)
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

enum Field {
    kKeyOid, kKeyName,
    kChildOid, kChildSchema, kChildName, kChildKind,
    kParentOid, kParentSchema, kParentName, kParentKind,
    kMatchType, kOnUpdate, kOnDelete,
    kValidated, kDeferrable, kDeferred,
    kEnforcement, kChildIndex,
    kChildReadable, kParentColumnReadable, kChildRowSecurity, kParentRowSecurity,
    kChildColumn, kChildType, kChildNotNull,
    kParentColumn, kParentType,
    kOperatorSchema, kOperatorName,
    kLeftType, kLeftTypeSchema, kLeftTypeName,
    kRightType, kRightTypeSchema, kRightTypeName,
    kCollationSchema, kCollationName,
    kChildDefault, kParentTypmod, kParentNotInsertable, kParentAcceptsBareKeys,
    kChildTypmod, kChildSubscribed,
    kChildDefaultNode, kChildIdentity, kChildGenerated, kSetByOnDelete, kParentFromSequence,
    kChildOwner, kParentOwner, kChildSchemaUsable, kParentSchemaUsable,
    kCheckerReadsParent, kCheckerUnderParentPolicy,
    kChildStatementRole, kParentStatementRole, kCallerRole, kChildReferenced,
};

const std::string &text(const TextRow &row, Field field)
{
    const TextValue &value = row.at(field);
    if (!value)
        throw Error(kInternalError, "unexpected NULL in the foreign-key catalog query");
    return *value;
}

Oid oid(const TextRow &row, Field field) { return std::stoul(text(row, field)); }
bool flag(const TextRow &row, Field field) { return text(row, field) == "t"; }
char code(const TextRow &row, Field field) { return text(row, field).at(0); }

// The type as SQL that means the same under any search_path: schema-
// qualified unless it is one of the grammar's own type names (integer,
// character varying(3), ...), with the typmod.
std::string type_sql(const TextRow &row, Field type, Field typmod)
{
    Oid type_oid = oid(row, type);
    int32 type_modifier = std::stoi(text(row, typmod));
    return pg_call([type_oid, type_modifier]() noexcept {
        return static_cast<const char *>(format_type_extended(
            type_oid, type_modifier, FORMAT_TYPE_TYPEMOD_GIVEN | FORMAT_TYPE_FORCE_QUALIFY));
    });
}

// Whether an expression (a pg_node_tree, as pg_attrdef.adbin) calls a
// volatile function, as PostgreSQL's planner judges it.
bool expression_is_volatile(const TextValue &node_tree)
{
    if (!node_tree)
        return false;
    const char *tree = node_tree->c_str();
    return pg_call([tree]() noexcept { return contain_volatile_functions(static_cast<Node *>(stringToNode(tree))); });
}

Relation relation(const TextRow &row, Field oid_field, Field schema, Field name, Field kind,
                  Field owner, Field statement_role)
{
    Relation relation{oid(row, oid_field), {text(row, schema), text(row, name)}, code(row, kind),
                      oid(row, owner), std::nullopt};
    if (row.at(statement_role))
        relation.statement_role = StatementRole{text(row, statement_role), row.at(kCallerRole)};
    return relation;
}

ForeignKey key_from_row(const TextRow &row)
{
    ForeignKey key;
    key.oid = oid(row, kKeyOid);
    key.name = text(row, kKeyName);
    key.child = relation(row, kChildOid, kChildSchema, kChildName, kChildKind, kChildOwner,
                         kChildStatementRole);
    key.parent = relation(row, kParentOid, kParentSchema, kParentName, kParentKind, kParentOwner,
                          kParentStatementRole);
    key.match = match_type_from_code(code(row, kMatchType));
    key.on_update = action_from_code(code(row, kOnUpdate));
    key.on_delete = action_from_code(code(row, kOnDelete));
    key.validated = flag(row, kValidated);
    key.deferrable = flag(row, kDeferrable);
    key.initially_deferred = flag(row, kDeferred);
    key.enforcement = enforcement_from_text(text(row, kEnforcement));
    key.child_index = row.at(kChildIndex) ? oid(row, kChildIndex) : 0;
    key.child_readable = flag(row, kChildReadable);
    key.child_schema_usable = flag(row, kChildSchemaUsable);
    key.parent_schema_usable = flag(row, kParentSchemaUsable);
    key.checker_under_parent_policy = flag(row, kCheckerUnderParentPolicy);
    key.parent_readable = true;  // and-ed over the columns below
    key.child_row_security = flag(row, kChildRowSecurity);
    key.parent_row_security = flag(row, kParentRowSecurity);
    key.parent_accepts_bare_keys = flag(row, kParentAcceptsBareKeys);
    key.child_is_subscribed = flag(row, kChildSubscribed);
    key.child_is_referenced = flag(row, kChildReferenced);
    return key;
}

KeyColumn column_from_row(const TextRow &row)
{
    KeyColumn column;
    column.child_column = text(row, kChildColumn);
    column.child_type = oid(row, kChildType);
    column.child_not_null = flag(row, kChildNotNull);
    column.parent_column = text(row, kParentColumn);
    column.parent_type = oid(row, kParentType);
    column.equality.name = {text(row, kOperatorSchema), text(row, kOperatorName)};
    column.equality.left_type = oid(row, kLeftType);
    column.equality.left_type_name = {text(row, kLeftTypeSchema), text(row, kLeftTypeName)};
    column.equality.right_type = oid(row, kRightType);
    column.equality.right_type_name = {text(row, kRightTypeSchema), text(row, kRightTypeName)};
    if (row.at(kCollationName))
        column.comparison_collation = QualifiedName{text(row, kCollationSchema),
                                                    text(row, kCollationName)};
    column.child_default = row.at(kChildDefault);
    column.parent_type_name = type_sql(row, kParentType, kParentTypmod);
    column.child_type_name = type_sql(row, kChildType, kChildTypmod);
    column.parent_insertable = !flag(row, kParentNotInsertable);
    column.child_generated = flag(row, kChildGenerated);
    column.child_default_volatile =
        flag(row, kChildIdentity) || expression_is_volatile(row.at(kChildDefaultNode));
    column.set_by_on_delete = flag(row, kSetByOnDelete);
    column.parent_from_sequence = flag(row, kParentFromSequence);
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

// Rows whose first column is an OID that pick() gives for a key: hands
// each key its rows, in order.
template <typename Pick, typename Take>
void distribute_rows(const std::string &query, KeyList &keys, Pick pick, Take take)
{
    for (const TextRow &row : query_text_rows(query)) {
        Oid owner = std::stoul(row.at(0).value());
        for (auto &key : keys)
            if (pick(key) == owner)
                take(key, row);
    }
}

void load_primary_keys(KeyList &keys)
{
    auto child = [](const ForeignKey &key) { return key.child.oid; };
    distribute_rows(R"SQL(
SELECT c.conrelid, a.attname
FROM pg_catalog.pg_constraint c
CROSS JOIN LATERAL pg_catalog.unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
WHERE c.contype = 'p' AND c.conrelid = ANY ()SQL" + oid_array(keys, child) + R"SQL()
ORDER BY c.conrelid, k.n)SQL",
                    keys, child, [](ForeignKey &key, const TextRow &row) {
                        key.child_primary_key.push_back(row.at(1).value());
                    });
}

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
SELECT t.root, n.nspname, r.relname, tg.tgname
FROM tree t
JOIN pg_catalog.pg_trigger tg ON tg.tgconstraint = t.oid
JOIN pg_catalog.pg_class r ON r.oid = tg.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
WHERE tg.tgenabled IN ('D', 'R')
ORDER BY t.root, n.nspname COLLATE pg_catalog."C", r.relname COLLATE pg_catalog."C",
         tg.tgname COLLATE pg_catalog."C")SQL",
                    keys, self, [](ForeignKey &key, const TextRow &row) {
                        key.unenforced_triggers.push_back(
                            {{row.at(1).value(), row.at(2).value()}, row.at(3).value()});
                    });
}

// AccessShareLock on both tables of every key, before their definitions
// are read and trusted: a table cannot change under a check, nor be dropped.
void lock_key_tables(std::optional<Oid> child_table)
{
    for (const TextRow &row : query_text_rows(key_tables_query(child_table))) {
        Oid table = std::stoul(row.at(0).value());
        pg_call([table]() noexcept { LockRelationOid(table, AccessShareLock); });
    }
}

}  // namespace

void load_foreign_keys(std::optional<Oid> child_table, KeyUse use, KeyList &keys)
{
    if (use == KeyUse::ReadTables)
        lock_key_tables(child_table);
    // The query is written in the order to join in: from the keys out, by
    // oid, each lookup through an index. Searching for another order was
    // half of a call's fixed cost (5.6 ms, now 2.7), and the partition-tree
    // subqueries, whose size the planner overestimates, became hash and
    // merge joins that read all of pg_constraint and pg_trigger for each key
    // (1,500 keys: 1.45 s, now 0.25).
    std::vector<TextRow> rows;
    with_settings({{"join_collapse_limit", "1"}, {"enable_hashjoin", "off"},
                   {"enable_mergejoin", "off"}}, [&] {
        // Once the tables are locked, under a new snapshot: what any DDL
        // that committed before the locks changed is seen.
        rows = use == KeyUse::ReadTables ? query_text_rows_now(key_columns_query(child_table))
                                         : query_text_rows(key_columns_query(child_table));
    });
    for (const TextRow &row : rows) {
        if (keys.empty() || keys.back().oid != oid(row, kKeyOid))
            keys.push_back(key_from_row(row));
        ForeignKey &key = keys.back();
        key.columns.push_back(column_from_row(row));
        key.parent_readable = key.parent_readable && flag(row, kParentColumnReadable);
        key.checker_reads_parent = key.checker_reads_parent && flag(row, kCheckerReadsParent);
    }
    if (keys.empty())
        return;
    load_primary_keys(keys);
    load_unenforced_triggers(keys);
}

}  // namespace fkd
