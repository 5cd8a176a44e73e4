# On a hot standby the read-only functions work (a DBA runs heavy scans
# there to spare the primary) and fk_audit_record() is a clear error; on a
# logical-replication subscriber, child rows that arrive without their
# parents are diagnosed as such.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 'logical');
$primary->start;
$primary->safe_psql('postgres', q{
    CREATE EXTENSION fkdoctor;
    CREATE TABLE customers (id int PRIMARY KEY);
    CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers);
    INSERT INTO customers VALUES (1);
    SET session_replication_role = replica;
    INSERT INTO orders VALUES (1, 1), (2, 42);
});

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
$primary->safe_psql('postgres', q{
    SET session_replication_role = replica;
    INSERT INTO orders VALUES (3, 43);
});
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');
is($standby->safe_psql('postgres', "SELECT constraint_name FROM fk_constraints('orders')"),
    'orders_customer_id_fkey', 'fk_constraints on the standby');
is($standby->safe_psql('postgres',
        "SELECT string_agg(missing_key::text, ' ' ORDER BY child_key::text) FROM fk_orphans('orders')"),
    '{"customer_id": 42} {"customer_id": 43}', 'fk_orphans on the standby sees the replayed orphans');
is($standby->safe_psql('postgres', "SELECT status || ' ' || orphan_rows FROM fk_audit('orders')"),
    'orphans 2', 'fk_audit on the standby');
like($standby->safe_psql('postgres', "SELECT statement FROM fk_repairs('orders', 'delete')"),
    qr/^DELETE FROM ONLY public\.orders fk WHERE/, 'fk_repairs on the standby');
my ($ret, $stdout, $stderr) = $standby->psql('postgres', q{
    \set VERBOSITY verbose
    SELECT fk_audit_record();
});
like($stderr, qr/25006.*fk_audit_record\(\) cannot run on a standby/s,
    'fk_audit_record on the standby is error 25006');
($ret, $stdout, $stderr) = $standby->psql('postgres', q{
    \set VERBOSITY verbose
    SELECT fk_audit_record('30 minutes');
});
like($stderr, qr/25006.*fk_audit_record\(\) cannot run on a standby/s,
    'a budgeted fk_audit_record on the standby is error 25006 too');

# Logical replication: the subscriber gets orders but not their customers.
my $subscriber = PostgreSQL::Test::Cluster->new('subscriber');
$subscriber->init;
$subscriber->start;
$subscriber->safe_psql('postgres', q{
    CREATE EXTENSION fkdoctor;
    CREATE TABLE customers (id int PRIMARY KEY);
    CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers);
    CREATE TABLE notes (id int PRIMARY KEY, customer_id int REFERENCES customers);
    INSERT INTO customers VALUES (1);
    SET session_replication_role = replica;
    INSERT INTO notes VALUES (1, 50);
});
$primary->safe_psql('postgres', 'CREATE PUBLICATION orders_only FOR TABLE orders');
my $connstr = $primary->connstr . ' dbname=postgres';
$subscriber->safe_psql('postgres',
    "CREATE SUBSCRIPTION orders_sub CONNECTION '$connstr' PUBLICATION orders_only");
$subscriber->wait_for_subscription_sync($primary, 'orders_sub');

is($subscriber->safe_psql('postgres', "SELECT orphan_rows FROM fk_audit('orders')"),
    '2', 'the subscriber holds the orphans the apply worker let in');
like($subscriber->safe_psql('postgres', "SELECT diagnosis FROM fk_audit('orders')"),
    qr/logical-replication subscription target/, 'diagnosed as a subscription target');
unlike($subscriber->safe_psql('postgres', "SELECT diagnosis FROM fk_audit('notes')"),
    qr/subscription/, 'a table that is not subscribed is not diagnosed so');

$subscriber->stop;
$standby->stop;
$primary->stop;
done_testing();
