# fk_audit_record() scheduled with real pg_cron: the job fires and the
# history holds what it found.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cron');

# pg_cron is a package of its own, built for one major version: Debian 12
# has it for PostgreSQL 15 only, so this test runs there and says so
# elsewhere (neither a pass nor a failure).
my $pkglibdir = $node->config_data('--pkglibdir');
plan skip_all => "pg_cron is packaged for PostgreSQL 15 only here ($pkglibdir/pg_cron.so is missing)"
  unless -f "$pkglibdir/pg_cron.so";

$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 20
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_cron;
    CREATE EXTENSION fkdoctor;
    CREATE TABLE customers (id int PRIMARY KEY);
    CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers);
    SET session_replication_role = replica;
    INSERT INTO orders VALUES (1, 7);
});

# pg_cron 1.4 schedules by the minute: the job fires at the next minute.
$node->safe_psql('postgres',
    q{SELECT cron.schedule('fk-audit', '* * * * *', 'SELECT fk_audit_record()')});
$PostgreSQL::Test::Utils::timeout_default = 150;
ok($node->poll_query_until('postgres',
        'SELECT count(*) > 0 FROM fk_audit_run WHERE finished_at IS NOT NULL'),
    'the scheduled audit ran');
is($node->safe_psql('postgres', q{
        SELECT constraint_name || ' ' || orphan_rows || ' ' || status
        FROM fk_audit_log WHERE child_table = 'public.orders'
        ORDER BY run_id LIMIT 1}),
    'orders_customer_id_fkey 1 orphans', 'its history holds the orphan it found');
like($node->safe_psql('postgres',
        q{SELECT status FROM cron.job_run_details ORDER BY runid LIMIT 1}),
    qr/succeeded/, 'pg_cron reports the job succeeded');
$node->safe_psql('postgres', q{SELECT cron.unschedule('fk-audit')});

$node->stop;
done_testing();
