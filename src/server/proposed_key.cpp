#include "server/proposed_key.hpp"

#include "core/errors.hpp"
#include "core/sql_quoting.hpp"
#include "server/pg_guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_opclass.h"
#include "parser/parse_coerce.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
#include "access/table.h"
}

namespace fkd {

namespace {

constexpr int kMaxColumns = INDEX_MAX_KEYS;

// What ADD FOREIGN KEY would find wrong, as plain data: resolved in a frame
// without C++ objects, reported once it is left.
enum class Problem {
    None,
    NotATable,            // index 0: child, 1: parent
    NoSuchColumn,         // side, column
    SystemColumn,         // side, column
    DuplicateParentColumn,
    NoPrimaryKey,
    DeferrablePrimaryKey,
    NoUniqueIndex,
    DeferrableUniqueIndex,
    NotBtree,
    IncompatibleTypes,    // column
    NondeterministicCollation,  // column (PostgreSQL 18)
};

struct Resolution {
    Problem problem = Problem::None;
    int side = 0;    // 0: child, 1: parent
    int column = 0;  // index into the column lists
    int columns = 0;
    AttrNumber child_attnums[kMaxColumns];
    AttrNumber parent_attnums[kMaxColumns];
    Oid opclasses[kMaxColumns];
    Oid operators[kMaxColumns];         // conpfeqop: parent = child
    Oid parent_operators[kMaxColumns];  // conppeqop: parent = parent
};

bool is_table(char kind)
{
    return kind == RELKIND_RELATION || kind == RELKIND_PARTITIONED_TABLE;
}

// The unique index ADD FOREIGN KEY would use (transformFkeyCheckAttrs), or,
// with no parent columns, the primary key (transformFkeyGetPrimaryKey):
// its opclasses, in the order of the parent columns.
void find_index(::Relation parent, bool primary_key, Resolution &r) noexcept
{
    bool found = false, found_deferrable = false;
    List *indexes = RelationGetIndexList(parent);
    ListCell *cell;
    foreach (cell, indexes) {
        Oid index = lfirst_oid(cell);
        HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
        if (!HeapTupleIsValid(tuple))
            elog(ERROR, "cache lookup failed for index %u", index);
        Form_pg_index form = (Form_pg_index) GETSTRUCT(tuple);
        bool isnull = false;
        if (primary_key) {
            if (form->indisprimary && form->indisvalid) {
                if (!form->indimmediate) {
                    r.problem = Problem::DeferrablePrimaryKey;
                    ReleaseSysCache(tuple);
                    return;
                }
                Datum classes = SysCacheGetAttr(INDEXRELID, tuple, Anum_pg_index_indclass, &isnull);
                oidvector *indclass = (oidvector *) DatumGetPointer(classes);
                r.columns = form->indnkeyatts;
                for (int i = 0; i < form->indnkeyatts && i < kMaxColumns; ++i) {
                    r.parent_attnums[i] = form->indkey.values[i];
                    r.opclasses[i] = indclass->values[i];
                }
                found = true;
            }
        } else if (form->indnkeyatts == r.columns && form->indisunique && form->indisvalid &&
                   heap_attisnull(tuple, Anum_pg_index_indpred, NULL) &&
                   heap_attisnull(tuple, Anum_pg_index_indexprs, NULL)) {
            Datum classes = SysCacheGetAttr(INDEXRELID, tuple, Anum_pg_index_indclass, &isnull);
            oidvector *indclass = (oidvector *) DatumGetPointer(classes);
            bool all = false;
            for (int i = 0; i < r.columns; ++i) {
                all = false;
                for (int j = 0; j < r.columns; ++j)
                    if (r.parent_attnums[i] == form->indkey.values[j]) {
                        r.opclasses[i] = indclass->values[j];
                        all = true;
                        break;
                    }
                if (!all)
                    break;
            }
            if (all && !form->indimmediate) {
                found_deferrable = true;
                all = false;
            }
            found = all;
        }
        ReleaseSysCache(tuple);
        if (found)
            break;
    }
    list_free(indexes);
    if (!found)
        r.problem = primary_key ? Problem::NoPrimaryKey
                                : found_deferrable ? Problem::DeferrableUniqueIndex
                                                   : Problem::NoUniqueIndex;
}

// ATAddForeignKeyConstraint's operator for each column: the opfamily's
// equality between the opclass's type and the referencing type, or the
// opclass's own equality when both types cast implicitly to its type.
void find_operators(Oid child, Oid parent, Resolution &r) noexcept
{
    for (int i = 0; i < r.columns; ++i) {
        HeapTuple tuple = SearchSysCache1(CLAOID, ObjectIdGetDatum(r.opclasses[i]));
        if (!HeapTupleIsValid(tuple))
            elog(ERROR, "cache lookup failed for opclass %u", r.opclasses[i]);
        Form_pg_opclass form = (Form_pg_opclass) GETSTRUCT(tuple);
        Oid method = form->opcmethod, family = form->opcfamily, input = form->opcintype;
        ReleaseSysCache(tuple);
        if (method != BTREE_AM_OID) {
            r.problem = Problem::NotBtree;
            return;
        }
        Oid parent_type = get_atttype(parent, r.parent_attnums[i]);
        Oid child_type = get_atttype(child, r.child_attnums[i]);
        Oid own = get_opfamily_member(family, input, input, BTEqualStrategyNumber);
        Oid child_base = getBaseType(child_type);
        Oid pfeqop = get_opfamily_member(family, input, child_base, BTEqualStrategyNumber);
        Oid ffeqop = OidIsValid(pfeqop)
                         ? get_opfamily_member(family, child_base, child_base, BTEqualStrategyNumber)
                         : InvalidOid;
        if (!(OidIsValid(pfeqop) && OidIsValid(ffeqop))) {
            Oid inputs[2] = {parent_type, child_type};
            Oid targets[2] = {input, input};
            if (OidIsValid(own) && can_coerce_type(2, inputs, targets, COERCION_IMPLICIT))
                pfeqop = ffeqop = own;
        }
        if (!(OidIsValid(pfeqop) && OidIsValid(ffeqop))) {
            r.problem = Problem::IncompatibleTypes;
            r.column = i;
            return;
        }
#if PG_VERSION_NUM >= 180000
        Oid parent_collation = InvalidOid, child_collation = InvalidOid, type_ignored;
        int32 typmod_ignored;
        get_atttypetypmodcoll(parent, r.parent_attnums[i], &type_ignored, &typmod_ignored,
                              &parent_collation);
        get_atttypetypmodcoll(child, r.child_attnums[i], &type_ignored, &typmod_ignored,
                              &child_collation);
        if (OidIsValid(parent_collation) && OidIsValid(child_collation) &&
            parent_collation != child_collation &&
            (!get_collation_isdeterministic(parent_collation) ||
             !get_collation_isdeterministic(child_collation))) {
            r.problem = Problem::NondeterministicCollation;
            r.column = i;
            return;
        }
#endif
        r.operators[i] = pfeqop;
        r.parent_operators[i] = own;
    }
}

struct Names {
    const char *child[kMaxColumns];
    const char *parent[kMaxColumns];
    bool parent_given;
};

void resolve(Oid child, Oid parent, const Names &names, Resolution &r) noexcept
{
    LockRelationOid(child, AccessShareLock);
    LockRelationOid(parent, AccessShareLock);
    for (int side = 0; side < 2; ++side) {
        if (!is_table(get_rel_relkind(side == 0 ? child : parent))) {
            r.problem = Problem::NotATable;
            r.side = side;
            return;
        }
    }
    for (int i = 0; i < r.columns; ++i) {
        for (int side = 0; side < (names.parent_given ? 2 : 1); ++side) {
            AttrNumber attnum =
                get_attnum(side == 0 ? child : parent, side == 0 ? names.child[i] : names.parent[i]);
            if (attnum == InvalidAttrNumber || attnum < 0) {
                r.problem = attnum == InvalidAttrNumber ? Problem::NoSuchColumn : Problem::SystemColumn;
                r.side = side;
                r.column = i;
                return;
            }
            (side == 0 ? r.child_attnums : r.parent_attnums)[i] = attnum;
        }
    }
    if (names.parent_given)
        for (int i = 0; i < r.columns; ++i)
            for (int j = i + 1; j < r.columns; ++j)
                if (r.parent_attnums[i] == r.parent_attnums[j]) {
                    r.problem = Problem::DuplicateParentColumn;
                    return;
                }
    int child_columns = r.columns;
    ::Relation relation = table_open(parent, AccessShareLock);
    find_index(relation, !names.parent_given, r);
    table_close(relation, AccessShareLock);
    if (r.problem != Problem::None || r.columns != child_columns)
        return;
    find_operators(child, parent, r);
}

std::string int2_array(const AttrNumber *values, int n)
{
    std::string list;
    for (int i = 0; i < n; ++i)
        list += (i ? "," : "") + std::to_string(values[i]);
    return "'{" + list + "}'::pg_catalog.int2[]";
}

std::string relation_label(Oid table)
{
    const char *name = pg_call([table]() noexcept { return get_rel_name(table); });
    return name ? std::string("\"") + name + "\"" : std::to_string(table);
}

std::string type_label(Oid table, AttrNumber attnum)
{
    const char *type = pg_call([table, attnum]() noexcept {
        return static_cast<const char *>(format_type_be(get_atttype(table, attnum)));
    });
    return type;
}

[[noreturn]] void report(const ProposedKey &key, const Resolution &r)
{
    auto column_name = [&](int side, int i) {
        return side == 0 ? key.child_columns.at(i) : key.parent_columns->at(i);
    };
    switch (r.problem) {
    case Problem::NotATable:
        throw Error("42809", (r.side == 0 ? "referencing relation " : "referenced relation ") +
                                 relation_label(r.side == 0 ? key.child : key.parent) +
                                 " is not a table");
    case Problem::NoSuchColumn:
        throw Error("42703", "column \"" + column_name(r.side, r.column) +
                                 "\" referenced in foreign key constraint does not exist",
                    std::string("The ") + (r.side == 0 ? "referencing table " : "referenced table ") +
                        relation_label(r.side == 0 ? key.child : key.parent) +
                        " has no such column.");
    case Problem::SystemColumn:
        throw Error("0A000", "system columns cannot be used in foreign keys",
                    "Column \"" + column_name(r.side, r.column) + "\" is a system column.");
    case Problem::DuplicateParentColumn:
        throw Error("42830", "foreign key referenced-columns list must not contain duplicates");
    case Problem::NoPrimaryKey:
        throw Error("42704", "there is no primary key for referenced table " +
                                 relation_label(key.parent),
                    "", "Name the referenced columns: they need a unique index.");
    case Problem::DeferrablePrimaryKey:
        throw Error("55000", "cannot use a deferrable primary key for referenced table " +
                                 relation_label(key.parent));
    case Problem::NoUniqueIndex:
        throw Error("42830", "there is no unique constraint matching given keys for referenced table " +
                                 relation_label(key.parent),
                    "ADD FOREIGN KEY needs a unique, valid, non-partial index on exactly the "
                    "referenced columns.");
    case Problem::DeferrableUniqueIndex:
        throw Error("55000", "cannot use a deferrable unique constraint for referenced table " +
                                 relation_label(key.parent));
    case Problem::NotBtree:
        throw Error("0A000", "only b-tree indexes are supported for foreign keys");
    case Problem::IncompatibleTypes:
        throw Error("42804", "foreign key cannot be implemented",
                    "Key columns \"" + key.child_columns.at(r.column) +
                        "\" of the referencing table and \"" +
                        (key.parent_columns ? key.parent_columns->at(r.column)
                                            : std::to_string(r.parent_attnums[r.column])) +
                        "\" of the referenced table are of incompatible types: " +
                        type_label(key.child, r.child_attnums[r.column]) + " and " +
                        type_label(key.parent, r.parent_attnums[r.column]) +
                        " (no equality operator of the referenced column's index compares them).");
    case Problem::NondeterministicCollation:
        throw Error("42P21", "foreign key constraint cannot be implemented",
                    "Key columns \"" + key.child_columns.at(r.column) +
                        "\" have incompatible collations: either both are the same or both are "
                        "deterministic.");
    case Problem::None: break;
    }
    throw Error(kInternalError, "unexpected foreign key problem");
}

}  // namespace

void load_proposed_key(const ProposedKey &key, KeyList &keys)
{
    int columns = static_cast<int>(key.child_columns.size());
    if (columns == 0)
        throw Error("42830", "a foreign key needs at least one column");
    if (columns > kMaxColumns)
        throw Error("54011", "cannot have more than " + std::to_string(kMaxColumns) +
                                 " keys in a foreign key");
    if (key.parent_columns && key.parent_columns->size() != key.child_columns.size())
        throw Error("42830", "number of referencing and referenced columns for foreign key disagree",
                    std::to_string(columns) + " referencing and " +
                        std::to_string(key.parent_columns->size()) + " referenced columns.");
    Names names{};
    names.parent_given = key.parent_columns.has_value();
    for (int i = 0; i < columns; ++i) {
        names.child[i] = key.child_columns[i].c_str();
        names.parent[i] = names.parent_given ? (*key.parent_columns)[i].c_str() : nullptr;
    }
    Resolution r;
    r.columns = columns;
    Oid child = key.child, parent = key.parent;
    pg_call([&]() noexcept { resolve(child, parent, names, r); });
    if (r.problem == Problem::None && r.columns != columns)
        throw Error("42830", "number of referencing and referenced columns for foreign key disagree",
                    std::to_string(columns) + " referencing columns, and the primary key of " +
                        relation_label(key.parent) + " has " + std::to_string(r.columns) + ".");
    if (r.problem != Problem::None)
        report(key, r);
    std::string operators, parent_operators;
    for (int i = 0; i < columns; ++i) {
        operators += (i ? "," : "") + std::to_string(r.operators[i]);
        parent_operators += (i ? "," : "") + std::to_string(r.parent_operators[i]);
    }
    // A made-up pg_constraint row, read like a declared key's; its oid is
    // none PostgreSQL hands out, so no trigger or clone hangs off it.
    std::string row =
        "SELECT 4294967295::pg_catalog.oid AS oid, 'fk_check_key'::pg_catalog.name AS conname, " +
        std::to_string(child) + "::pg_catalog.oid AS conrelid, " + std::to_string(parent) +
        "::pg_catalog.oid AS confrelid, " + int2_array(r.child_attnums, columns) + " AS conkey, " +
        int2_array(r.parent_attnums, columns) + " AS confkey, '{" + operators +
        "}'::pg_catalog.oid[] AS conpfeqop, '{" + parent_operators +
        "}'::pg_catalog.oid[] AS conppeqop, " +
        quote_literal(key.match == MatchType::Full ? "f" : "s") +
        "::pg_catalog.\"char\" AS confmatchtype, 'a'::pg_catalog.\"char\" AS confupdtype, "
        "'a'::pg_catalog.\"char\" AS confdeltype, NULL::pg_catalog.int2[] AS confdelsetcols, "
        "false AS convalidated, false AS condeferrable, false AS condeferred, "
        "false AS conperiod, true AS conenforced";
    load_key_like_constraint(row, keys);
    if (keys.empty())
        throw Error(kInternalError, "the proposed foreign key could not be read");
    keys.back().declared = false;
}

}  // namespace fkd
