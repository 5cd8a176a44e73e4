# DDL while an audit runs: the key definitions an audit reads must stay
# true while it checks them (it locks the tables, then reads the
# catalogs), so that values are never read as a type their column no
# longer has. Here the superuser's whole-database fk_audit() is held up on
# the first key of a table (its parent is locked by a third session) while
# the owner swaps the uuid parent column of the table's second key for a
# bigint one (DROP COLUMN ... CASCADE, ADD COLUMN ... DEFAULT: no rewrite).
# Whatever the order the locks then allow: no crash, the first key's count
# is right, the second key is either checked before the swap (ok, no
# orphans), gone (the swap came first), or an 'error' row; never a wrong
# count; and the DDL completes.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('ddl');
$node->init;
# A crash must not hide the later checks: the server restarts.
$node->append_conf('postgresql.conf', 'restart_after_crash = on');
$node->start;

my $owner = 'regress_fkd_ddl_owner';
$node->safe_psql('postgres', qq{
    CREATE EXTENSION fkdoctor;
    CREATE ROLE $owner LOGIN;
    CREATE SCHEMA fkd_ddl AUTHORIZATION $owner;
});
# Two keys of plain values on one child, checked in memory in one scan
# after their parents' keys are read: pa's first (the key's name sorts
# first), then pu's.
$node->safe_psql('postgres', q{
    CREATE TABLE fkd_ddl.pa (id int PRIMARY KEY);
    CREATE TABLE fkd_ddl.pu (u uuid PRIMARY KEY);
    CREATE TABLE fkd_ddl.child (id int PRIMARY KEY,
                                a int CONSTRAINT child_a_fkey REFERENCES fkd_ddl.pa,
                                u uuid CONSTRAINT child_u_fkey REFERENCES fkd_ddl.pu);
    INSERT INTO fkd_ddl.pa SELECT generate_series(1, 100);
    INSERT INTO fkd_ddl.pu
    SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid FROM generate_series(1, 100) g;
    INSERT INTO fkd_ddl.child
    SELECT g, g, ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid
    FROM generate_series(1, 100) g;
    -- One orphan of the first key (a plain ALTER would need a superuser to
    -- skip the check: the key is added back NOT VALID instead).
    ALTER TABLE fkd_ddl.child DROP CONSTRAINT child_a_fkey;
    INSERT INTO fkd_ddl.child VALUES (101, 1000, NULL);
    ALTER TABLE fkd_ddl.child ADD CONSTRAINT child_a_fkey
        FOREIGN KEY (a) REFERENCES fkd_ddl.pa NOT VALID;
}, extra_params => [ '-U', $owner ]);

is($node->safe_psql('postgres', q{
    SELECT string_agg(constraint_name || ':' || orphan_rows || ':' || status, ',' ORDER BY 1)
    FROM fk_audit() WHERE child_table = 'fkd_ddl.child'::regclass}),
    'child_a_fkey:1:orphans,child_u_fkey:0:ok', 'before the DDL, both keys are checked');

my $start_time = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');
my $log_offset = -s $node->logfile;

# Hold the first key's parent.
my $locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN; LOCK TABLE fkd_ddl.pa IN ACCESS EXCLUSIVE MODE;');

# The superuser's audit, held up on pa.
my $audit = $node->background_psql('postgres', on_error_stop => 0);
my $audit_pid = $audit->query_safe('SELECT pg_backend_pid()');
$audit->query_until(qr/started/, q{
    \echo started
    SELECT constraint_name, coalesce(orphan_rows::text, '-'), status
    FROM fk_audit() WHERE child_table::text LIKE 'fkd_ddl.%' ORDER BY 1;
});
$node->poll_query_until('postgres',
    "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $audit_pid")
  or die 'the audit never waited for the lock';

# The owner swaps pu's uuid column for a bigint one. It may complete now
# (the audit does not hold pu yet) or wait for the audit (it does).
my $ddl = $node->background_psql('postgres', extra_params => [ '-U', $owner ]);
my $ddl_pid = $ddl->query_safe('SELECT pg_backend_pid()');
$ddl->query_until(qr/started/, q{
    \echo started
    SET client_min_messages = warning;
    ALTER TABLE fkd_ddl.pu DROP COLUMN u CASCADE;
    ALTER TABLE fkd_ddl.pu ADD COLUMN u bigint DEFAULT 7;
    INSERT INTO fkd_ddl.pu (u) VALUES (8);
});
$node->poll_query_until('postgres', qq{
    SELECT state = 'idle' OR wait_event_type = 'Lock'
    FROM pg_stat_activity WHERE pid = $ddl_pid})
  or die 'the DDL neither finished nor waited';
my $ddl_waited = $node->safe_psql('postgres',
    "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $ddl_pid") eq 't';
note $ddl_waited ? 'the DDL waits for the audit' : 'the DDL went first';

# Let the audit go on.
$locker->query_safe('COMMIT');
$locker->quit;

my ($result, $stderr) = ('', '');
eval {
    $result = $audit->query('SELECT 1');
    $stderr = $audit->{stderr};
    $audit->quit;
};
$stderr .= "\n(the audit's session died: $@)" if $@;
$node->poll_query_until('postgres', 'SELECT true') or die 'the server did not come back';
unlike($stderr, qr/server closed the connection|connection to server was lost|died/,
    'the audit\'s backend survives');
unlike($stderr, qr/ERROR/, 'and the audit does not fail');
$result =~ s/\n?1$//;
my @rows = split /\n/, $result;
is($rows[0], 'child_a_fkey|1|orphans', 'the first key is counted right');
ok(@rows == 1
      || $rows[1] eq 'child_u_fkey|0|ok'
      || $rows[1] =~ /^child_u_fkey\|-\|error$/,
    "the second key is checked before the swap, gone, or an error: never a wrong count ("
      . join(', ', @rows) . ')');
ok(!($ddl_waited && @rows == 1), 'a DDL that waited did not change what the audit saw');

# The DDL completes, after the audit if it waited.
my $ddl_ok = eval { $ddl->query_safe('SELECT 1'); $ddl->quit; 1 };
ok($ddl_ok, 'the DDL completes');
$node->poll_query_until('postgres', 'SELECT true') or die 'the server did not come back';
is($node->safe_psql('postgres', q{
    SELECT format_type(atttypid, atttypmod) FROM pg_attribute
    WHERE attrelid = 'fkd_ddl.pu'::regclass AND attname = 'u'}),
    'bigint', 'the column is swapped');

is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
    $start_time, 'the server did not restart');
unlike(slurp_file($node->logfile, $log_offset), qr/terminated by signal/, 'no backend crashed');

# And the next audit sees the new definitions.
is($node->safe_psql('postgres', q{
    SELECT string_agg(constraint_name || ':' || orphan_rows || ':' || status, ',' ORDER BY 1)
    FROM fk_audit() WHERE child_table = 'fkd_ddl.child'::regclass}),
    'child_a_fkey:1:orphans', 'after the DDL, the dropped key is gone');

$node->stop;
done_testing();
