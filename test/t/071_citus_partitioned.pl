# fkdoctor on partitioned Citus tables, and on names Citus shortens for its
# shards. A range-partitioned table distributed with its partitions, with
# keys to a co-located distributed parent and to a reference table; a
# distributed table and key whose names are too long for Citus to append a
# shard id to. Orphans planted the ways t/070_citus.pl plants them (replica
# mode reaching the shards, a parent shard's row deleted on its worker, a
# write through the coordinator into a shard whose triggers are disabled).
# An orphan is reported in the partition that holds it, as for a plain
# partitioned table, with that partition's shard. Every function is checked
# against hand-written truth queries; then the repairs run and PostgreSQL
# judges, by adding each key again.
#
# Skipped when Citus is not installed for this PostgreSQL (CitusCluster.pm).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CitusCluster;
use PostgreSQL::Test::Utils;
use Test::More;

my @nodes = start_citus_cluster();
my ($coordinator, @workers) = @nodes;
my $c = sub { $coordinator->safe_psql('postgres', $_[0]) };
sub shard_of { CitusCluster::shard_of(\@nodes, @_) }

my $long = 'a_table_whose_name_is_long_enough_for_citus_to_shorten_shards';
my $long_key = 'a_key_whose_name_is_long_enough_for_citus_to_shorten_its_shards';

# Citus 13.2.2 on PostgreSQL 15 cannot add an unnamed key to a distributed
# partitioned table (it names it and sends the workers NOT VALID, which 15
# refuses on a partitioned table): the keys are named.
$c->(qq{
    CREATE EXTENSION fkdoctor;
    CREATE TABLE regions (code text PRIMARY KEY);
    SELECT create_reference_table('regions');
    CREATE TABLE accounts (id int PRIMARY KEY);
    SELECT create_distributed_table('accounts', 'id');
    CREATE TABLE events (account_id int, day date, n int, region text,
                         PRIMARY KEY (account_id, day, n)) PARTITION BY RANGE (day);
    CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    SELECT create_distributed_table('events', 'account_id', colocate_with => 'accounts');
    ALTER TABLE events ADD CONSTRAINT events_account_fkey FOREIGN KEY (account_id) REFERENCES accounts;
    ALTER TABLE events ADD CONSTRAINT events_region_fkey FOREIGN KEY (region) REFERENCES regions;

    CREATE TABLE $long (account_id int, id int, PRIMARY KEY (account_id, id));
    SELECT create_distributed_table('$long', 'account_id', colocate_with => 'accounts');
    ALTER TABLE $long ADD CONSTRAINT $long_key FOREIGN KEY (account_id) REFERENCES accounts;

    INSERT INTO regions VALUES ('eu'), ('am');
    INSERT INTO accounts SELECT generate_series(1, 40);
    INSERT INTO events SELECT g, date '2025-03-01' + 10 * g, 1, (ARRAY['eu', 'am'])[g % 2 + 1]
    FROM generate_series(1, 40) g;
    INSERT INTO $long SELECT g, 1 FROM generate_series(1, 40) g;
});

is($c->(q{SELECT string_agg(s.logicalrelid::text, ' ' ORDER BY 1) FROM (
              SELECT DISTINCT logicalrelid FROM pg_dist_shard
              WHERE logicalrelid::text LIKE 'events%') s}),
    'events events_2025 events_2026', 'the partitions are distributed with their table');
like($c->(qq{SELECT string_agg(shard_name, ' ') FROM citus_shards WHERE table_name = '$long'::regclass}),
    qr/^(a_table_whose_name_is_long_enough_for_citus_to__[0-9a-f]{8}_\d+ ?)+$/,
    'Citus shortens the long table\'s shard names, with a hash');

# Replica mode reaching the shards: rows of missing accounts in both
# partitions, an unknown region.
$c->(qq{
    BEGIN;
    SET LOCAL citus.propagate_set_commands = 'local';
    SET LOCAL session_replication_role = replica;
    INSERT INTO events VALUES (101, '2025-04-01', 1, 'eu'), (102, '2026-04-01', 1, 'xx'),
                              (102, '2026-04-02', 1, 'am');
    INSERT INTO $long VALUES (103, 1);
    COMMIT;
});
# A parent shard's row deleted on its worker, triggers bypassed: account
# 7's events (2025) become orphans.
my ($account_node, $account_shard) = shard_of('accounts', 7);
$account_node->safe_psql('postgres',
    "SET session_replication_role = replica; DELETE FROM $account_shard WHERE id = 7");
# A partition's shard with its triggers disabled on its worker; a write
# through the coordinator then gets in unchecked.
my ($events_node, $events_shard) = shard_of('events_2026', 30);
$events_node->safe_psql('postgres', "ALTER TABLE $events_shard DISABLE TRIGGER ALL");
$c->(q{INSERT INTO events VALUES (30, '2026-06-01', 2, 'zz')});
my ($long_node, $long_shard) = shard_of($long, 104);
$long_node->safe_psql('postgres', "ALTER TABLE $long_shard DISABLE TRIGGER ALL");
$c->("INSERT INTO $long VALUES (104, 1)");

# The truth, by hand: constraint|partition|missing key. The partition
# follows from the partition bounds.
my $partition = q{CASE WHEN day < '2026-01-01' THEN 'events_2025' ELSE 'events_2026' END};
my @truth = sort split /\n/, $c->(qq{
    SELECT 'events_account_fkey|' || $partition || '|' || jsonb_build_object('account_id', account_id)::text
    FROM events e WHERE NOT EXISTS (SELECT FROM accounts a WHERE a.id = e.account_id)
    UNION ALL
    SELECT 'events_region_fkey|' || $partition || '|' || jsonb_build_object('region', region)::text
    FROM events WHERE region NOT IN (SELECT code FROM regions)});
my @long_truth = sort split /\n/, $c->(qq{
    SELECT '$long_key|$long|' || jsonb_build_object('account_id', account_id)::text
    FROM $long l WHERE NOT EXISTS (SELECT FROM accounts a WHERE a.id = l.account_id)});
is(scalar @truth, 6, 'the planted orphans of events are there (truth query)');
is(scalar @long_truth, 3, '... and the long table\'s (account 7\'s row too)');

my $orphans_as_text = q{
    SELECT string_agg(constraint_name || '|' || child_table::text || '|' || missing_key::text, E'\n'
                      ORDER BY 1)
    FROM fk_orphans(%s)};

is($c->(q{SELECT string_agg(constraint_name || ' ' || child_table::text || ' ' || enforcement, ', '
                            ORDER BY 1) FROM fk_constraints()}),
    "$long_key $long disabled, events_account_fkey events disabled, events_region_fkey events disabled",
    'fk_constraints: one row per key of the partitioned table; the shards\' disabled triggers, '
  . 'of a partition and behind a shortened name');

# fk_orphans: each orphan in its partition, in both modes.
is(join("\n", sort split /\n/, $c->(sprintf $orphans_as_text, q{'events'})), join("\n", @truth),
    'fk_orphans reports each orphan of the partitioned table in the partition that holds it');
is(join("\n", sort split /\n/, $c->('SET fkdoctor.check_in_memory = off; '
                                    . sprintf $orphans_as_text, q{'events'})),
    join("\n", @truth), 'the same with fkdoctor.check_in_memory = off');
is(join("\n", sort split /\n/, $c->(sprintf $orphans_as_text, '')),
    join("\n", sort @truth, @long_truth), 'fk_orphans() over the whole database');
is(join("\n", sort split /\n/, $c->(sprintf $orphans_as_text, q{'events_2025'})),
    join("\n", grep { /\|events_2025\|/ } @truth), 'a partition named: its own orphans');
is(join("\n", sort split /\n/, $c->(sprintf $orphans_as_text, "'$long'")), join("\n", @long_truth),
    'the long table\'s orphans, whose shards have shortened names');

# Where each orphan lives: its partition's shard for its distribution
# value, the node of the shard's placement; (child_shard, child_ctid)
# identifies the row there.
is($c->(q{
    SELECT string_agg(DISTINCT CASE WHEN o.child_shard = e.shardid AND o.child_node = e.node
                                    THEN 'placed' ELSE o.child_table || ' ' || o.child_key::text END, ' ')
    FROM fk_orphans('events') o
    CROSS JOIN LATERAL (
        SELECT s.shardid, n.nodename || ':' || n.nodeport AS node
        FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)
        WHERE s.shardid = get_shard_id_for_distribution_column(o.child_table,
                                                                (o.child_key->>'account_id')::int)) e}),
    'placed', 'child_shard and child_node: the partition\'s shard and its node');
{
    my ($node, $shard) = shard_of('events_2026', 102);
    my $ctid = $c->(q{SELECT child_ctid FROM fk_orphans('events')
                      WHERE constraint_name = 'events_region_fkey' AND child_key->>'account_id' = '102'});
    is($node->safe_psql('postgres', "SELECT account_id || ' ' || region FROM $shard WHERE ctid = '$ctid'"),
        '102 xx', 'child_ctid locates the row in its partition\'s shard, on its node');
}

# fk_audit: the counts of the truth, against the logical table.
is($c->(q{SELECT string_agg(constraint_name || ' ' || status || ' ' || orphan_rows || ' ' || missing_keys
                            || ' ' || rows_checked, ', ' ORDER BY 1) FROM fk_audit()}),
    $c->(qq{SELECT string_agg(k, ', ' ORDER BY k) FROM (VALUES
        ('$long_key orphans 3 3 ' || (SELECT count(*) FROM $long)),
        ('events_account_fkey orphans 4 3 ' || (SELECT count(*) FROM events)),
        ('events_region_fkey orphans 2 2 ' || (SELECT count(*) FROM events))) v(k)}),
    'fk_audit counts rows, orphans and missing keys of every key');
like($c->(q{SELECT diagnosis FROM fk_audit('events') WHERE constraint_name = 'events_region_fkey'}),
    qr/disabled.*\Q$events_shard\E/s, 'fk_audit\'s diagnosis names the partition\'s shard with disabled triggers');
like($c->(qq{SELECT diagnosis FROM fk_audit('$long')}), qr/disabled.*\Q$long_shard\E/s,
    '... and the shard of the long table, whose key Citus renamed on it');
like($c->(q{SELECT string_agg("check" || ' ' || severity, ', ') FROM fk_lint('events')}),
    qr/valid_but_unenforced error/, 'fk_lint reports the keys of a partition shard with disabled triggers');

# fk_assert_clean: PostgreSQL's error, naming the least orphan key.
{
    my ($ret, $stdout, $stderr) = $coordinator->psql('postgres',
        "\\set VERBOSITY verbose\nSELECT fk_assert_clean('events')");
    like($stderr, qr/23503.*violates foreign key constraint "events_account_fkey".*Key \(account_id\)=\(101\) is not present/s,
        'fk_assert_clean raises 23503 with the least orphan key');
}

# The enable_trigger fixes, each on the node its note names.
{
    my @fixes = split /\n/, $c->(qq{
        SELECT substring(note FROM 'run this on node [^:]+:([0-9]+)') || '|' || statement
        FROM fk_repairs(NULL, 'delete') WHERE step = 'enable_trigger'});
    is(join(' ', sort map { (split /\|/)[0] } @fixes),
        join(' ', sort(($events_node->port) x 4, ($long_node->port) x 2)),
        'fk_repairs enables each disabled RI trigger of the shards, on their nodes');
    for my $fix (@fixes) {
        my ($port, $statement) = split /\|/, $fix, 2;
        my ($node) = grep { $_->port == $port } @nodes;
        $node->safe_psql('postgres', $statement);
    }
    is($c->(q{SELECT string_agg(DISTINCT enforcement, ' ') FROM fk_constraints()}), 'enabled',
        'once run there, every key is enforced again');
}

# Every strategy's statements run (rolled back).
is(failing_repairs($coordinator, $_), '', "every $_ repair runs on the coordinator")
    for qw(delete set_null insert_parent);

# The repairs, then PostgreSQL's judgement.
my %key_sql = (
    events_account => 'events FOREIGN KEY (account_id) REFERENCES accounts',
    events_region => 'events FOREIGN KEY (region) REFERENCES regions',
    long => "$long FOREIGN KEY (account_id) REFERENCES accounts");
my $judge = sub {
    my ($name) = @_;
    my ($table, $key) = split / /, $key_sql{$name}, 2;
    return "ALTER TABLE $table ADD CONSTRAINT judge_$name $key";
};
my ($ret) = $coordinator->psql('postgres', $judge->('events_account'));
isnt($ret, 0, 'the judge refuses a key while it has orphans');
is(failing_repairs($coordinator, 'delete', apply => 1), '', 'every repair statement runs on the coordinator');
is($c->('SELECT count(*) FROM fk_orphans()'), '0', 'no orphan is left');
($ret) = $coordinator->psql('postgres', 'SELECT fk_assert_clean()');
is($ret, 0, 'fk_assert_clean() passes');
my @refused;
for my $name (sort keys %key_sql) {
    my ($status, $out, $err) = $coordinator->psql('postgres', $judge->($name));
    push @refused, "$name: $err" if $status != 0;
}
is(join("\n", @refused), '', 'PostgreSQL validates every key again, on every partition\'s shards');

$_->stop for reverse @nodes;
done_testing();
