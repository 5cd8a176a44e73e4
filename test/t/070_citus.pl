# fkdoctor on a Citus cluster: a coordinator and two workers on 127.0.0.1.
# Reference, co-located distributed (single and composite keys that
# include the distribution column), single-shard and Citus local tables,
# with orphans planted the ways they arrive in practice: replica mode
# reaching the shards (citus.propagate_set_commands = 'local' inside a
# transaction), a parent shard's rows deleted on its worker with triggers
# bypassed, and writes through the coordinator into a shard whose triggers
# were disabled on its worker. Every function is checked against
# hand-written truth queries; then the repairs run and PostgreSQL judges,
# by adding each key again (which validates every shard).
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

$c->(q{
    CREATE EXTENSION fkdoctor;
    CREATE TABLE regions (code text PRIMARY KEY);
    SELECT create_reference_table('regions');
    CREATE TABLE countries (code text PRIMARY KEY, region text);
    SELECT create_reference_table('countries');
    ALTER TABLE countries ADD FOREIGN KEY (region) REFERENCES regions;

    CREATE TABLE customers (id int PRIMARY KEY, country text);
    SELECT create_distributed_table('customers', 'id');
    ALTER TABLE customers ADD FOREIGN KEY (country) REFERENCES countries;
    CREATE TABLE orders (customer_id int, order_id int, PRIMARY KEY (customer_id, order_id));
    SELECT create_distributed_table('orders', 'customer_id', colocate_with => 'customers');
    ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers;
    CREATE TABLE lines (customer_id int, order_id int, line int,
                        PRIMARY KEY (customer_id, order_id, line));
    SELECT create_distributed_table('lines', 'customer_id', colocate_with => 'customers');
    ALTER TABLE lines ADD FOREIGN KEY (customer_id, order_id) REFERENCES orders;

    CREATE TABLE tenants (id int PRIMARY KEY);
    SELECT create_distributed_table('tenants', NULL);
    CREATE TABLE projects (id int PRIMARY KEY, tenant_id int);
    SELECT create_distributed_table('projects', NULL, colocate_with => 'tenants');
    ALTER TABLE projects ADD FOREIGN KEY (tenant_id) REFERENCES tenants;

    CREATE TABLE notes (id int PRIMARY KEY, country text);
    SELECT citus_add_local_table_to_metadata('notes');
    ALTER TABLE notes ADD FOREIGN KEY (country) REFERENCES countries;

    CREATE TABLE plain_parent (id int PRIMARY KEY);
    CREATE TABLE plain_child (id int PRIMARY KEY, parent_id int REFERENCES plain_parent);

    INSERT INTO regions VALUES ('eu'), ('am');
    INSERT INTO countries VALUES ('fr', 'eu'), ('de', 'eu'), ('us', 'am');
    INSERT INTO customers SELECT g, (ARRAY['fr', 'de', 'us'])[g % 3 + 1] FROM generate_series(1, 40) g;
    INSERT INTO orders SELECT g, 1 FROM generate_series(1, 40) g;
    INSERT INTO lines SELECT g, 1, 1 FROM generate_series(1, 5) g;
    INSERT INTO tenants VALUES (1), (2), (3);
    INSERT INTO projects SELECT g, g % 3 + 1 FROM generate_series(1, 6) g;
    INSERT INTO notes VALUES (1, 'fr'), (2, 'us');
    INSERT INTO plain_parent VALUES (1);
    INSERT INTO plain_child VALUES (1, 1);
});

my $version_query = "SELECT extversion FROM pg_extension WHERE extname = 'fkdoctor'";
is(join(' ', map { $_->safe_psql('postgres', $version_query) } @workers),
    join(' ', ($c->($version_query)) x 2),
    'CREATE EXTENSION fkdoctor on the coordinator reaches the workers');

sub shard_of { CitusCluster::shard_of(\@nodes, @_) }

# Replica mode reaches the shards only with propagate_set_commands = 'local',
# inside a transaction.
$c->(q{
    BEGIN;
    SET LOCAL citus.propagate_set_commands = 'local';
    SET LOCAL session_replication_role = replica;
    INSERT INTO orders VALUES (101, 1), (102, 1), (103, 1);
    INSERT INTO lines VALUES (5, 9, 1), (6, 9, 1);
    INSERT INTO customers VALUES (104, 'xx');
    INSERT INTO countries VALUES ('zz', 'mars');
    INSERT INTO notes VALUES (3, 'yy');
    INSERT INTO projects VALUES (7, 99);
    INSERT INTO plain_child VALUES (2, 99);
    COMMIT;
});
# A parent shard's row deleted on its worker, triggers bypassed.
my ($customer_node, $customer_shard) = shard_of('customers', 7);
$customer_node->safe_psql('postgres',
    "SET session_replication_role = replica; DELETE FROM $customer_shard WHERE id = 7");
# A child shard's triggers disabled on its worker; a write through the
# coordinator then gets in unchecked.
my ($lines_node, $lines_shard) = shard_of('lines', 10);
$lines_node->safe_psql('postgres', "ALTER TABLE $lines_shard DISABLE TRIGGER ALL");
$c->('INSERT INTO lines VALUES (10, 5, 1)');

# The truth, by hand: constraint|child table|missing key.
my @truth = sort split /\n/, $c->(q{
    SELECT 'orders_customer_id_fkey|orders|' || jsonb_build_object('customer_id', customer_id)::text
    FROM orders o WHERE NOT EXISTS (SELECT FROM customers c WHERE c.id = o.customer_id)});
push @truth, split /\n/, $c->(q{
    SELECT 'lines_customer_id_order_id_fkey|lines|'
           || jsonb_build_object('customer_id', customer_id, 'order_id', order_id)::text
    FROM lines l WHERE NOT EXISTS (
        SELECT FROM orders o WHERE o.customer_id = l.customer_id AND o.order_id = l.order_id)});
push @truth, split /\n/, $c->(q{
    SELECT 'customers_country_fkey|customers|' || jsonb_build_object('country', country)::text
    FROM customers WHERE country NOT IN (SELECT code FROM countries)});
push @truth, split /\n/, $c->(q{
    SELECT 'countries_region_fkey|countries|' || jsonb_build_object('region', region)::text
    FROM countries WHERE region NOT IN (SELECT code FROM regions)});
push @truth, split /\n/, $c->(q{
    SELECT 'notes_country_fkey|notes|' || jsonb_build_object('country', country)::text
    FROM notes WHERE country NOT IN (SELECT code FROM countries)});
push @truth, split /\n/, $c->(q{
    SELECT 'projects_tenant_id_fkey|projects|' || jsonb_build_object('tenant_id', tenant_id)::text
    FROM projects WHERE tenant_id NOT IN (SELECT id FROM tenants)});
push @truth, split /\n/, $c->(q{
    SELECT 'plain_child_parent_id_fkey|plain_child|' || jsonb_build_object('parent_id', parent_id)::text
    FROM plain_child WHERE parent_id NOT IN (SELECT id FROM plain_parent)});
@truth = sort @truth;
is(scalar @truth, 12, 'the planted orphans are there (truth queries)');

my $orphans_as_text = q{
    SELECT string_agg(constraint_name || '|' || child_table::text || '|' || missing_key::text, E'\n'
                      ORDER BY 1)
    FROM fk_orphans()};

# fk_constraints: the logical tables' keys, once; no shard, no Citus catalog.
is($c->(q{SELECT string_agg(constraint_name || ' ' || child_table::text, ', ' ORDER BY 1)
          FROM fk_constraints()}),
    'countries_region_fkey countries, customers_country_fkey customers, '
  . 'lines_customer_id_order_id_fkey lines, notes_country_fkey notes, '
  . 'orders_customer_id_fkey orders, plain_child_parent_id_fkey plain_child, '
  . 'projects_tenant_id_fkey projects',
    'fk_constraints lists the keys of the logical tables, not shards nor Citus\'s own catalogs');

# fk_orphans, in its default mode and with every check PostgreSQL's anti-join.
is(join("\n", sort split /\n/, $c->($orphans_as_text)), join("\n", @truth),
    'fk_orphans() finds exactly the orphans, against the logical tables');
is(join("\n", sort split /\n/, $c->("SET fkdoctor.check_in_memory = off; $orphans_as_text")),
    join("\n", @truth), 'the same with fkdoctor.check_in_memory = off');
is($c->('SELECT count(*) FROM fk_orphans(NULL, 5)'), '5', 'max_rows caps the rows');
is($c->(q{SELECT count(*) FROM fk_orphans('orders')}), '4', 'fk_orphans of one distributed table');

# Where each orphan lives: the shard its distribution value hashes to, the
# node of its one placement; a reference table's rows are on every node.
is($c->(q{
    SELECT string_agg(DISTINCT
        CASE WHEN o.child_shard = e.shardid AND o.child_node = e.node THEN 'placed' ELSE
             o.child_table || ' ' || coalesce(o.child_shard::text, '-') || ' ' || coalesce(o.child_node, '-') END, ' ')
    FROM fk_orphans() o
    CROSS JOIN LATERAL (
        SELECT s.shardid, n.nodename || ':' || n.nodeport AS node
        FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) JOIN pg_dist_node n USING (groupid)
        WHERE s.logicalrelid = o.child_table AND CASE o.child_table::text
            WHEN 'orders' THEN s.shardid = get_shard_id_for_distribution_column('orders', (o.missing_key->>'customer_id')::int)
            WHEN 'lines' THEN s.shardid = get_shard_id_for_distribution_column('lines', (o.missing_key->>'customer_id')::int)
            WHEN 'customers' THEN s.shardid = get_shard_id_for_distribution_column('customers', (o.child_key->>'id')::int)
            ELSE true END) e
    WHERE o.child_table::text IN ('orders', 'lines', 'customers', 'projects', 'notes')}),
    'placed', 'child_shard and child_node say where each row of a distributed, single-shard or Citus local table lives');
is($c->(q{SELECT string_agg(child_table || ' ' || (child_shard IS NOT NULL) || ' ' || coalesce(child_node, '-')
                            || ' ' || (child_ctid IS NOT NULL), ', ' ORDER BY 1)
          FROM fk_orphans() WHERE child_table::text IN ('countries', 'plain_child')}),
    'countries true - false, plain_child false - true',
    'a reference table\'s orphan: its shard, every node, no ctid; a plain table\'s: no shard, its ctid');
# (child_shard, child_ctid) identifies the row, on its node.
{
    my ($node, $shard) = shard_of('orders', 101);
    my $ctid = $c->(q{SELECT child_ctid FROM fk_orphans('orders') WHERE child_key->>'customer_id' = '101'});
    is($node->safe_psql('postgres', "SELECT customer_id FROM $shard WHERE ctid = '$ctid'"), '101',
        'child_ctid locates the row in its shard, on its node');
}

# fk_audit: every key, counts as the truth says.
is($c->(q{SELECT string_agg(constraint_name || ' ' || status || ' ' || orphan_rows || ' ' || missing_keys
                            || ' ' || rows_checked, ', ' ORDER BY 1) FROM fk_audit()}),
    $c->(q{SELECT string_agg(k, ', ' ORDER BY k) FROM (VALUES
        ('countries_region_fkey orphans 1 1 ' || (SELECT count(*) FROM countries)),
        ('customers_country_fkey orphans 1 1 ' || (SELECT count(*) FROM customers)),
        ('lines_customer_id_order_id_fkey orphans 3 3 ' || (SELECT count(*) FROM lines)),
        ('notes_country_fkey orphans 1 1 ' || (SELECT count(*) FROM notes)),
        ('orders_customer_id_fkey orphans 4 4 ' || (SELECT count(*) FROM orders)),
        ('plain_child_parent_id_fkey orphans 1 1 ' || (SELECT count(*) FROM plain_child)),
        ('projects_tenant_id_fkey orphans 1 1 ' || (SELECT count(*) FROM projects))) v(k)}),
    'fk_audit counts rows, orphans and missing keys of every key');
is($c->(q{SET fkdoctor.check_in_memory = off;
          SELECT string_agg(constraint_name || ' ' || orphan_rows, ', ' ORDER BY 1) FROM fk_audit()}),
    $c->(q{SELECT string_agg(constraint_name || ' ' || orphan_rows, ', ' ORDER BY 1) FROM fk_audit()}),
    'fk_audit gives the same counts with fkdoctor.check_in_memory = off');

is($c->(q{SELECT fk_audit_record() > 0;
          SELECT count(*) FILTER (WHERE status = 'orphans') || ' of ' || count(*) FROM fk_audit_log}),
    "t\n7 of 7", 'fk_audit_record keeps the audit on the coordinator');

# A budgeted audit checks Citus tables whole (their rows are in the shards,
# on the workers) and the plain table by ranges, with fk_audit()'s counts.
is($c->(q{SELECT fk_audit_record('1 hour') > 0;
          SELECT string_agg(constraint_name || ' ' || orphan_rows || ' '
                            || CASE WHEN pass_id IS NULL THEN 'whole' ELSE 'ranges' END,
                            ', ' ORDER BY constraint_name)
          FROM fk_audit_log WHERE run_id = (SELECT max(run_id) FROM fk_audit_run)}),
    "t\n" . $c->(q{SELECT string_agg(constraint_name || ' ' || orphan_rows || ' '
                            || CASE WHEN child_table = 'plain_child'::regclass THEN 'ranges' ELSE 'whole' END,
                            ', ' ORDER BY constraint_name)
                  FROM fk_audit()}),
    'a budgeted fk_audit_record checks Citus tables whole, a plain table by ranges');

# fk_assert_clean: PostgreSQL's error, naming an orphan.
{
    my ($ret, $stdout, $stderr) = $coordinator->psql('postgres',
        "\\set VERBOSITY verbose\nSELECT fk_assert_clean('orders')");
    like($stderr, qr/23503.*violates foreign key constraint "orders_customer_id_fkey".*Key \(customer_id\)=\((7|101)\) is not present/s,
        'fk_assert_clean raises 23503 with the least orphan key');
    ($ret, $stdout, $stderr) = $coordinator->psql('postgres', 'SELECT fk_assert_clean()');
    like($stderr, qr/violates foreign key constraint/, 'fk_assert_clean() over the whole database');
}

# Per-shard trigger state: one shard of lines has its triggers disabled.
is($c->(q{SELECT enforcement FROM fk_constraints('lines')}), 'disabled',
    'fk_constraints sees a shard\'s disabled RI triggers');
like($c->(q{SELECT string_agg("check" || ' ' || severity, ', ') FROM fk_lint('lines')}),
    qr/valid_but_unenforced error/, 'fk_lint reports the key of a shard with disabled triggers');
like($c->(q{SELECT diagnosis FROM fk_audit('lines')}), qr/disabled.*\Q$lines_shard\E/s,
    'fk_audit\'s diagnosis names the shard whose triggers are disabled');
unlike($c->(q{SELECT coalesce(string_agg("check", ' '), '') FROM fk_lint('orders')}),
    qr/valid_but_unenforced|not_valid/, 'no false alarm on a key whose shards are all enforced');
{
    my $port = $lines_node->port;
    like($c->(q{SELECT string_agg(statement || ' -- ' || note, E'\n') FROM fk_repairs('lines')
                WHERE step = 'enable_trigger'}),
        qr/^ALTER TABLE public\.\Q$lines_shard\E ENABLE TRIGGER .*run this on node 127\.0\.0\.1:$port/m,
        'fk_repairs enables the shard\'s trigger, on the node that holds it');
}

# Every strategy's statements run (rolled back): Citus runs them all,
# including a Citus local table's UPDATE and DELETE.
is(failing_repairs($coordinator, $_), '', "every $_ repair runs on the coordinator")
    for qw(delete set_null insert_parent);

# On a worker: a shard named is checked, against its own name.
{
    my ($node, $shard) = shard_of('orders', 101);
    is($node->safe_psql('postgres', "SELECT string_agg(child_table::text || ' ' || missing_key::text, ', '
                                                       ORDER BY missing_key::text)
                                     FROM fk_orphans('$shard')"),
        $c->(qq{SELECT string_agg('$shard ' || missing_key::text, ', ' ORDER BY missing_key::text)
                FROM fk_orphans('orders')
                WHERE child_shard = get_shard_id_for_distribution_column('orders', 101)}),
        'on a worker, fk_orphans of a shard finds its orphans');
    my $worker_orphans = join "\n", sort map { split /\n/, $_->safe_psql('postgres',
            q{SELECT constraint_name || '|' || child_table::text FROM fk_orphans()}) } @workers;
    unlike($worker_orphans, qr/\|(orders|lines|customers|countries|projects)$/m,
        'on a worker, a whole-database call leaves out the shell tables');
    like($worker_orphans, qr/\|orders_\d+$/m, '... and checks the worker\'s shards');
    my $logical = q{SELECT string_agg(child_table || ' ' || missing_key::text || ' ' || child_shard,
                                      ', ' ORDER BY missing_key::text) FROM fk_orphans('orders')};
    is($workers[0]->safe_psql('postgres', $logical), $c->($logical),
        'on a worker, a Citus table named is checked as on the coordinator');
    is($workers[0]->safe_psql('postgres', q{SELECT enforcement FROM fk_constraints('lines')}),
        'disabled', '... with its shards\' trigger state');
}

# The repairs, then PostgreSQL's judgement: each key added again validates
# every shard. First, the judge must see the orphans.
my %key_sql = (
    orders => 'FOREIGN KEY (customer_id) REFERENCES customers',
    lines => 'FOREIGN KEY (customer_id, order_id) REFERENCES orders',
    customers => 'FOREIGN KEY (country) REFERENCES countries',
    countries => 'FOREIGN KEY (region) REFERENCES regions',
    notes => 'FOREIGN KEY (country) REFERENCES countries',
    projects => 'FOREIGN KEY (tenant_id) REFERENCES tenants',
    plain_child => 'FOREIGN KEY (parent_id) REFERENCES plain_parent');
my ($ret) = $coordinator->psql('postgres',
    "ALTER TABLE orders ADD CONSTRAINT judge $key_sql{orders}");
isnt($ret, 0, 'the judge refuses a key while it has orphans');

$lines_node->safe_psql('postgres', "ALTER TABLE $lines_shard ENABLE TRIGGER ALL");
ok($c->(q{SELECT count(*) FROM fk_repairs(NULL, 'delete') WHERE statement IS NOT NULL}) >= 7,
    'fk_repairs gives a statement for every key');
is(failing_repairs($coordinator, 'delete', apply => 1), '', 'every repair statement runs on the coordinator');
is($c->('SELECT count(*) FROM fk_orphans()'), '0', 'no orphan is left');
($ret) = $coordinator->psql('postgres', 'SELECT fk_assert_clean()');
is($ret, 0, 'fk_assert_clean() passes');
my @refused;
for my $table (sort keys %key_sql) {
    my ($status, $out, $err) = $coordinator->psql('postgres',
        "ALTER TABLE $table ADD CONSTRAINT judge_$table $key_sql{$table}");
    push @refused, "$table: $err" if $status != 0;
}
is(join("\n", @refused), '', 'PostgreSQL validates every key again on every shard');
$c->("ALTER TABLE $_ DROP CONSTRAINT IF EXISTS judge_$_") for sort keys %key_sql;

# A shard move re-creates the shard's keys on the target without checking
# them (citus.skip_constraint_validation; 13.2.2 marks them valid, a move
# that re-creates them NOT VALID leaves them so): the key is no less valid,
# and fkdoctor raises no alarm.
{
    my ($from, $shard) = shard_of('orders', 101);
    my ($to) = grep { $_ != $from } @workers;
    $c->(sprintf(q{SELECT citus_move_shard_placement(get_shard_id_for_distribution_column('orders', 101),
                   '127.0.0.1', %d, '127.0.0.1', %d, shard_transfer_mode => 'block_writes')},
                 $from->port, $to->port));
    is($c->(qq{SELECT nodeport FROM citus_shards WHERE shard_name = '$shard'}), $to->port,
        'the shard moved');
    $to->safe_psql('postgres', "UPDATE pg_constraint SET convalidated = false
                                WHERE conrelid = '$shard'::regclass AND contype = 'f'");
    is($c->(q{SELECT coalesce(string_agg("check", ' '), '') FROM fk_lint('orders')
              WHERE "check" IN ('not_valid', 'valid_but_unenforced')}),
        '', 'fk_lint raises no alarm for a moved shard');
    is($c->(q{SELECT validated || ' ' || enforcement FROM fk_constraints('orders')}), 'true enabled',
        'fk_constraints: the key is valid and enforced');
    is($c->(q{SELECT status FROM fk_audit('orders')}), 'ok', 'fk_audit after the move');
}

$_->stop for reverse @nodes;
done_testing();
