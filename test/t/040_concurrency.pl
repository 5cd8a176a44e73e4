# While other clients insert parents with their children and delete them
# again, fk_audit() and fk_orphans() never report an orphan that is not one
# (every call judges child and parent at one instant), and the writers are
# never blocked.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('concurrency');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION fkdoctor;
    CREATE TABLE parent (id bigint PRIMARY KEY);
    CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint REFERENCES parent ON DELETE CASCADE);
    CREATE TABLE grandchild (id bigint PRIMARY KEY, child_id bigint REFERENCES child);
    INSERT INTO parent SELECT generate_series(1, 20000);
    INSERT INTO child SELECT g, g FROM generate_series(1, 20000) g;
});

my $script = "$PostgreSQL::Test::Utils::tmp_check/writers.sql";
PostgreSQL::Test::Utils::append_to_file($script, q{
\set id random(100000, 1000000000)
\set other random(1, 20000)
BEGIN;
INSERT INTO parent VALUES (:id);
INSERT INTO child VALUES (:id, :id);
INSERT INTO grandchild VALUES (:id, :id);
COMMIT;
UPDATE child SET parent_id = :id WHERE id = :id;
BEGIN;
DELETE FROM grandchild WHERE id = :id;
DELETE FROM parent WHERE id = :id;
COMMIT;
UPDATE child SET parent_id = :other WHERE id = :other;
});

my ($out, $err) = ('', '');
my $writers = IPC::Run::start(
    [ 'pgbench', '-n', '-c', '4', '-j', '2', '-T', '15', '-f', $script,
      '-h', $node->host, '-p', $node->port, 'postgres' ],
    '>', \$out, '2>', \$err);

my ($audits, $false_orphans, $orphan_rows) = (0, 0, 0);
while ($audits < 200 && $writers->pumpable) {
    $false_orphans += $node->safe_psql('postgres',
        q{SELECT coalesce(sum(orphan_rows), 0) FROM fk_audit()});
    $orphan_rows += $node->safe_psql('postgres', q{SELECT count(*) FROM fk_orphans()});
    $audits++;
}
$writers->finish;

ok($audits >= 10, "the checks ran while the writers wrote ($audits rounds)");
is($false_orphans, 0, 'fk_audit never counted an orphan that was not one');
is($orphan_rows, 0, 'fk_orphans never reported an orphan that was not one');
like($out, qr/number of transactions actually processed: [1-9]/, 'the writers committed transactions');
unlike($out . $err, qr/deadlock|lock timeout|ERROR/i, 'and none of them failed');

$node->stop;
done_testing();
