#include "server/citus_catalog.hpp"

#include "core/errors.hpp"
#include "server/catalog_query.hpp"
#include "server/pg_guard.hpp"
#include "server/spi_executor.hpp"

extern "C" {
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
}

namespace fkd {

namespace {

std::string oid_list(const KeyList &keys)
{
    std::string oids;
    for (const ForeignKey &key : keys)
        for (Oid table : {key.child.oid, key.parent.oid})
            oids += (oids.empty() ? "" : ",") + std::to_string(table);
    return "'{" + oids + "}'::pg_catalog.oid[]";
}

CitusTable citus_table(char method, char replication, bool colocated)
{
    if (method == 'h')
        return CitusTable::Distributed;
    if (replication == 't')
        return CitusTable::Reference;
    return colocated ? CitusTable::SingleShard : CitusTable::Local;
}

namespace table_field {
constexpr Field oid{"table_oid", "p.logicalrelid::pg_catalog.oid", FieldType::Oid};
constexpr Field method{"partition_method", "p.partmethod", FieldType::Char};
constexpr Field replication{"replication_model", "p.repmodel", FieldType::Char};
constexpr Field colocated{"colocated", "p.colocationid <> 0", FieldType::Bool};
}  // namespace table_field

void mark_citus_tables(KeyList &keys)
{
    using namespace table_field;
    const std::vector<const Field *> fields{&oid, &method, &replication, &colocated};
    CatalogRows rows("SELECT " + select_list(fields) +
                         " FROM pg_catalog.pg_dist_partition p WHERE p.logicalrelid = ANY (" +
                         oid_list(keys) + ")",
                     fields);
    for (std::size_t n = 0; n < rows.size(); ++n) {
        Oid table = rows.oid(n, oid);
        CitusTable kind = citus_table(rows.code(n, method), rows.code(n, replication),
                                      rows.flag(n, colocated));
        for (ForeignKey &key : keys)
            for (Relation *relation : {&key.child, &key.parent})
                if (relation->oid == table)
                    relation->citus = kind;
    }
}

// The RI triggers on every node's shards that an ordinary session does not
// fire, with the Citus table and key whose shard constraint each belongs
// to. A shard's key is named after the key and a shard (see
// citus_shard_name()): the child shard, or for a partition's shard, which
// inherits its key, the partitioned table's shard. Its triggers are on the
// child shard and on the parent's shard. The Citus table is the child
// shard's, or any of its partition ancestors (the key may be the
// partitioned table's). A node that cannot be reached tells nothing.
const char *kShardTriggersQuery = R"SQL(
WITH found AS (
    SELECT pg_catalog.format('%s:%s', n.nodename, n.nodeport) AS node, t.value AS trigger
    FROM pg_catalog.run_command_on_all_nodes($command$
        SELECT COALESCE(pg_catalog.json_agg(pg_catalog.json_build_array(
                   (pg_catalog.pg_identify_object_as_address('pg_catalog.pg_class'::pg_catalog.regclass,
                                                             c.conrelid, 0)).object_names[2],
                   c.conname,
                   (pg_catalog.pg_identify_object_as_address('pg_catalog.pg_class'::pg_catalog.regclass,
                                                             t.tgrelid, 0)).object_names,
                   t.tgname, t.tgenabled))::pg_catalog.text, '[]')
        FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_constraint c ON c.oid = t.tgconstraint
        WHERE c.contype = 'f' AND t.tgenabled IN ('D', 'R')
          AND pg_catalog.relation_is_a_known_shard(c.conrelid)
    $command$) r
    JOIN pg_catalog.pg_dist_node n ON n.nodeid = r.nodeid
    CROSS JOIN LATERAL pg_catalog.json_array_elements(
        CASE WHEN r.success THEN r.result::pg_catalog.json ELSE '[]' END) t),
shard_triggers AS (
    SELECT f.node, f.trigger ->> 1 AS shard_key, f.trigger -> 2 ->> 0 AS schema,
           f.trigger -> 2 ->> 1 AS table_name, f.trigger ->> 3 AS trigger_name,
           f.trigger ->> 4 AS enabled,
           pg_catalog.substring(f.trigger ->> 0, '_([0-9]+)$')::pg_catalog.int8 AS shardid
    FROM found f)
SELECT )SQL";

namespace trigger_field {
constexpr Field table{"table_oid", "k.relid::pg_catalog.oid", FieldType::Oid};
constexpr Field shard_key{"shard_key", "t.shard_key", FieldType::Text};
constexpr Field schema{"schema", "t.schema", FieldType::Text};
constexpr Field table_name{"table_name", "t.table_name", FieldType::Text};
constexpr Field trigger_name{"trigger_name", "t.trigger_name", FieldType::Text};
constexpr Field disabled{"disabled", "t.enabled = 'D'", FieldType::Bool};
constexpr Field node{"node", "t.node", FieldType::Text};
}  // namespace trigger_field

const char *kShardTriggersFrom = R"SQL(
FROM shard_triggers t
JOIN pg_catalog.pg_dist_shard s ON s.shardid = t.shardid
CROSS JOIN LATERAL (SELECT s.logicalrelid AS relid
                    UNION SELECT a.relid FROM pg_catalog.pg_partition_ancestors(s.logicalrelid) a) k
WHERE k.relid = ANY ()SQL";

// The name Citus gives a shard's copy of an object (its
// AppendShardIdToName()): <name>_<shardid>, or, where that would not fit in
// an identifier, the name cut short (at a character's boundary) followed by
// _<the name's hash_any(), 8 hex digits>_<shardid>.
std::string citus_shard_name(const std::string &name, const std::string &shard_id)
{
    std::string suffix = "_" + shard_id;
    if (name.size() + suffix.size() < NAMEDATALEN)
        return name + suffix;
    const char *text = name.c_str();
    int length = static_cast<int>(name.size());
    int limit = NAMEDATALEN - static_cast<int>(suffix.size()) - 10;
    int clipped = 0;
    uint32 hash = 0;
    pg_call([text, length, limit, &clipped, &hash]() noexcept {
        hash = DatumGetUInt32(hash_any(reinterpret_cast<const unsigned char *>(text), length));
        clipped = pg_mbcliplen(text, length, limit);
    });
    char hex[9];
    snprintf(hex, sizeof hex, "%.8x", hash);
    return name.substr(0, clipped) + "_" + hex + suffix;
}

// Whether a shard's key is the key's copy: the key's name as Citus extends
// it with the shard id the shard's key ends with.
bool is_shard_key_of(const std::string &shard_key, const ForeignKey &key)
{
    std::size_t separator = shard_key.rfind('_');
    if (separator == std::string::npos || separator + 1 == shard_key.size() ||
        shard_key.find_first_not_of("0123456789", separator + 1) != std::string::npos)
        return false;
    return shard_key == citus_shard_name(key.name, shard_key.substr(separator + 1));
}

void load_shard_triggers(KeyList &keys)
{
    std::string child_tables;
    for (const ForeignKey &key : keys)
        if (key.child.is_citus_table())
            child_tables += (child_tables.empty() ? "" : ",") + std::to_string(key.child.oid);
    if (child_tables.empty())
        return;
    using namespace trigger_field;
    const std::vector<const Field *> fields{&table, &shard_key, &schema, &table_name,
                                            &trigger_name, &disabled, &node};
    CatalogRows rows(std::string(kShardTriggersQuery) + select_list(fields) +
                         kShardTriggersFrom + "'{" + child_tables + "}'::pg_catalog.oid[])" +
                         " ORDER BY t.node, t.schema, t.table_name, t.trigger_name",
                     fields);
    for (std::size_t n = 0; n < rows.size(); ++n) {
        Oid child = rows.oid(n, table);
        std::string key_name = rows.text(n, shard_key);
        for (ForeignKey &key : keys) {
            if (key.child.oid != child || !is_shard_key_of(key_name, key))
                continue;
            if (rows.flag(n, disabled))
                key.enforcement = Enforcement::Disabled;
            else if (key.enforcement == Enforcement::Enabled)
                key.enforcement = Enforcement::ReplicaOnly;
            key.unenforced_triggers.push_back({{rows.text(n, schema), rows.text(n, table_name)},
                                               rows.text(n, trigger_name), rows.text(n, node)});
        }
    }
}

}  // namespace

CitusNode citus_node()
{
    CitusNode node;
    node.installed = query_value("SELECT EXISTS (SELECT FROM pg_catalog.pg_extension "
                                 "WHERE extname = 'citus')") == TextValue("t");
    if (node.installed)
        node.coordinator = query_value("SELECT groupid FROM pg_catalog.pg_dist_local_group") ==
                           TextValue("0");
    return node;
}

std::string citus_whole_database_condition(const CitusNode &node)
{
    if (!node.installed)
        return "";
    if (node.coordinator)
        return " AND NOT pg_catalog.relation_is_a_known_shard(c.conrelid)";
    return " AND NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition dp"
           " WHERE dp.logicalrelid = c.conrelid)";
}

void with_shards_visible(const CitusNode &node, const std::function<void()> &work)
{
    if (!node.installed)
        return work();
    with_settings({{"citus.override_table_visibility", "off"}}, work);
}

void load_citus_tables(const CitusNode &node, KeyList &keys)
{
    if (!node.installed || keys.empty())
        return;
    mark_citus_tables(keys);
    load_shard_triggers(keys);
}

}  // namespace fkd
