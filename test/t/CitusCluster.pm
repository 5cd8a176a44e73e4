# A Citus cluster for the TAP tests: a coordinator and two workers on
# 127.0.0.1 (one initdb, copied for the workers; PostgreSQL::Test::Cluster
# picks the ports), citus created on each and the workers added. The test
# skips when Citus is not installed for this PostgreSQL: bash
# test/lib/build-citus.sh [PG_CONFIG] builds and installs it (15, 16, 17).
package CitusCluster;
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::RecursiveCopy;
use PostgreSQL::Test::Utils;
use Test::More;
use Exporter 'import';
our @EXPORT = qw(start_citus_cluster failing_repairs);

# Returns the nodes, coordinator first, started and joined.
sub start_citus_cluster {
    my ($pkglibdir) = run_command(['pg_config', '--pkglibdir']);
    chomp $pkglibdir;
    plan skip_all => "Citus is not installed for this PostgreSQL ($pkglibdir/citus.so missing;"
      . " bash test/lib/build-citus.sh installs it, for PostgreSQL 15 to 17)"
      unless -f "$pkglibdir/citus.so";
    my $coordinator = PostgreSQL::Test::Cluster->new('coordinator');
    $coordinator->init;
    $coordinator->append_conf('postgresql.conf', q{
listen_addresses = '127.0.0.1'
shared_preload_libraries = 'citus'
citus.shard_count = 4
max_connections = 40
max_worker_processes = 16
fsync = off
});
    my @workers = map { PostgreSQL::Test::Cluster->new("worker$_") } 1 .. 2;
    for my $worker (@workers) {
        PostgreSQL::Test::RecursiveCopy::copypath($coordinator->data_dir, $worker->data_dir);
        chmod 0700, $worker->data_dir;
        $worker->append_conf('postgresql.conf', 'port = ' . $worker->port);
    }
    my @nodes = ($coordinator, @workers);
    $_->start for @nodes;
    $_->safe_psql('postgres', 'CREATE EXTENSION citus') for @nodes;
    $coordinator->safe_psql('postgres', join ";\n",
        "SELECT citus_set_coordinator_host('127.0.0.1', " . $coordinator->port . ")",
        map { "SELECT citus_add_node('127.0.0.1', " . $_->port . ")" } @workers);
    return @nodes;
}

# The node that holds the shard of a table for a distribution value, and
# the shard's name.
sub shard_of {
    my ($nodes, $table, $value) = @_;
    my ($name, $port) = split /\|/, $nodes->[0]->safe_psql('postgres', qq{
        SELECT shard_name, nodeport FROM citus_shards
        WHERE shardid = get_shard_id_for_distribution_column('$table', $value)});
    my ($node) = grep { $_->port == $port } @$nodes;
    return ($node, $name);
}

# The statements of fk_repairs(NULL, strategy) that fail when run on the
# coordinator, each with its error, one a line: the 'repair' steps, each
# rolled back; with apply => 1, every step, committed.
sub failing_repairs {
    my ($coordinator, $strategy, %options) = @_;
    my $steps = $options{apply} ? '' : " AND step = 'repair'";
    my @failed;
    for my $statement (split /\n/, $coordinator->safe_psql('postgres', qq{
            SELECT statement FROM fk_repairs(NULL, '$strategy') WHERE statement IS NOT NULL$steps})) {
        my ($status, $out, $err) = $coordinator->psql('postgres',
            $options{apply} ? $statement : "BEGIN; $statement; ROLLBACK");
        push @failed, "$statement: $err" if $status != 0 || $err =~ /ERROR/;
    }
    return join "\n", @failed;
}

1;
