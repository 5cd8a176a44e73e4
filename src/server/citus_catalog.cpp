#include "server/citus_catalog.hpp"

#include "core/errors.hpp"
#include "server/spi_executor.hpp"

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

void mark_citus_tables(KeyList &keys)
{
    std::vector<TextRow> rows = query_text_rows(R"SQL(
SELECT p.logicalrelid::pg_catalog.oid, p.partmethod, p.repmodel, p.colocationid <> 0,
       CASE WHEN p.partmethod = 'h'
            THEN pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) END
FROM pg_catalog.pg_dist_partition p
WHERE p.logicalrelid = ANY ()SQL" + oid_list(keys) + ")");
    for (const TextRow &row : rows) {
        Oid table = std::stoul(row.at(0).value());
        CitusTable kind = citus_table(row.at(1).value().at(0), row.at(2).value().at(0),
                                      row.at(3).value() == "t");
        for (ForeignKey &key : keys)
            for (Relation *relation : {&key.child, &key.parent})
                if (relation->oid == table) {
                    relation->citus = kind;
                    relation->distribution_column = row.at(4).value_or("");
                }
    }
}

// The RI triggers on every node's shards that an ordinary session does not
// fire, with the Citus table and key whose shard constraint each belongs
// to. A shard's key is named after the key and the child shard
// (<key>_<shardid>, as Citus names it); its triggers are on the child shard
// and on the parent's shard. A node that cannot be reached tells nothing.
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
SELECT s.logicalrelid::pg_catalog.oid, t.shard_key, t.schema, t.table_name, t.trigger_name, t.enabled, t.node
FROM shard_triggers t
JOIN pg_catalog.pg_dist_shard s ON s.shardid = t.shardid
WHERE s.logicalrelid = ANY ()SQL";

void load_shard_triggers(KeyList &keys)
{
    std::string child_tables;
    for (const ForeignKey &key : keys)
        if (key.child.is_citus_table())
            child_tables += (child_tables.empty() ? "" : ",") + std::to_string(key.child.oid);
    if (child_tables.empty())
        return;
    std::vector<TextRow> rows = query_text_rows(
        std::string(kShardTriggersQuery) + "'{" + child_tables + "}'::pg_catalog.oid[])" +
        " ORDER BY t.node, t.schema, t.table_name, t.trigger_name");
    for (const TextRow &row : rows) {
        Oid child = std::stoul(row.at(0).value());
        const std::string &shard_key = row.at(1).value();
        for (ForeignKey &key : keys) {
            if (key.child.oid != child || shard_key.rfind(key.name + "_", 0) != 0 ||
                shard_key.find_first_not_of("0123456789", key.name.size() + 1) !=
                    std::string::npos)
                continue;
            bool disabled = row.at(5).value() == "D";
            if (disabled)
                key.enforcement = Enforcement::Disabled;
            else if (key.enforcement == Enforcement::Enabled)
                key.enforcement = Enforcement::ReplicaOnly;
            key.unenforced_triggers.push_back(
                {{row.at(2).value(), row.at(3).value()}, row.at(4).value(), row.at(6).value()});
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
