# A cancel or a statement_timeout that lands while a whole-database call
# is deep in its work (thousands of keys behind it, a big child being read
# in memory) ends the call with its own error, 57014, and nothing else: the
# caught error must outlive the memory contexts the C++ frames free while
# they unwind (SPI's, the executor's), so the backend does not crash and the
# server does not restart. An error raised by a user's operator in the
# middle of such an audit is that key's 'error' row.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep time);

my $node = PostgreSQL::Test::Cluster->new('unwinding');
$node->init;
# Room to lock every table of a whole-database call at once.
$node->append_conf('postgresql.conf', 'max_locks_per_transaction = 512');
# A crash in one case must not hide the others: the server restarts.
$node->append_conf('postgresql.conf', 'restart_after_crash = on');
$node->start;

my $role = 'regress_fkd_owner';

# An unprivileged owner of 2,000 small keyed tables and, sorting last, one
# child of 3M rows (checked in memory: integer keys), so that a
# whole-database call reaches the big child after everything else.
$node->safe_psql('postgres', qq{
    CREATE EXTENSION fkdoctor;
    CREATE ROLE $role LOGIN;
    CREATE SCHEMA fkd_many AUTHORIZATION $role;
});
$node->safe_psql('postgres', q{
    DO $$
    BEGIN
        FOR i IN 1..2000 LOOP
            EXECUTE format('CREATE TABLE fkd_many.p%s (id int PRIMARY KEY)', i);
            EXECUTE format('CREATE TABLE fkd_many.c%s (id int PRIMARY KEY, p int REFERENCES fkd_many.p%s)', i, i);
        END LOOP;
    END $$;
    CREATE TABLE fkd_many.zz_parent (id int PRIMARY KEY);
    CREATE TABLE fkd_many.zz_child (id int, p int);
    INSERT INTO fkd_many.zz_parent SELECT generate_series(1, 1000);
    INSERT INTO fkd_many.zz_child SELECT g, g % 1000 + 1 FROM generate_series(1, 3000000) g;
    -- NOT VALID: no need to check 3M rows while building.
    ALTER TABLE fkd_many.zz_child ADD FOREIGN KEY (p) REFERENCES fkd_many.zz_parent NOT VALID;
    VACUUM ANALYZE fkd_many.zz_child;
}, extra_params => [ '-U', $role ]);

my $start_time = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# Waits until the server accepts connections again (after a crash it
# restarts on its own), so that a crash in one case does not hide the next.
sub server_is_back
{
    $node->poll_query_until('postgres', 'SELECT true')
      or die 'the server did not come back';
}

# The server is still the one started above: no crash, no restart.
sub server_did_not_restart
{
    my ($label, $log_offset) = @_;
    server_is_back();
    is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
        $start_time, "$label: the server did not restart");
    my $log = slurp_file($node->logfile, $log_offset);
    unlike($log, qr/terminated by signal|server process .* was terminated/,
        "$label: no backend crashed");
    is($node->safe_psql('postgres', 'SELECT 42', extra_params => [ '-U', $role ]),
        '42', "$label: a fresh connection works");
}

# statement_timeout, in fresh connections. A call reads the catalogs (the
# keys, then their primary keys and triggers), then checks key after key;
# a timeout that lands between the first catalog query and the first key's
# check, with the catalogs of 2,000 keys in SPI's memory, is searched for
# by bisection on the timeout, steered by the query each attempt was
# stopped in. Wherever each attempt lands: 57014 (or the call finishes in
# time), never a crash.
sub timeouts_over_the_call
{
    my ($sql) = @_;
    my $log_offset = -s $node->logfile;
    my $started = time();
    $node->psql('postgres', "$sql;", extra_params => [ '-U', $role ]);
    my $seconds = time() - $started;
    my ($low, $high) = (0, $seconds * 1000);
    my ($bad, $landed) = ('', '');
    my $try = sub {
        my ($ms) = @_;
        my ($ret, $stdout, $stderr) = $node->psql('postgres', qq{
            SET statement_timeout = '${ms}ms';
            $sql;
            }, extra_params => [ '-U', $role ]);
        my $where =
            $stderr eq '' ? 'finished'
          : $stderr !~ /canceling statement due to statement timeout/ ? 'failed'
          : $stderr =~ /WITH keys AS/ ? 'catalog'
          : $stderr =~ /FROM ONLY fkd_many\./ ? 'checks'
          : 'between';
        $landed .= " ${ms}ms:$where";
        if ($where eq 'failed')
        {
            $bad .= "timeout ${ms}ms: $stderr\n";
            server_is_back();
        }
        return $where;
    };
    # Where the catalog query ends...
    for my $attempt (1 .. 8)
    {
        my $ms = int(($low + $high) / 2) + 1;
        my $where = $try->($ms);
        last if $where eq 'failed';
        if ($where eq 'catalog') { $low = $ms; } else { $high = $ms; }
        last if $high - $low < 10;
    }
    # ... and just after it, where the crash was seen.
    for my $after (2, 5, 10, 20, 40, 80)
    {
        last if $bad ne '';
        $try->(int($low) + $after);
    }
    note "$sql, timeouts tried:$landed";
    is($bad, '', "$sql under statement_timeout: 57014, wherever it lands");
    server_did_not_restart("$sql under statement_timeout", $log_offset);
}

# pg_cancel_backend() from a second session while the call reads the big
# child: the call waits for a lock on it until the test lets it go on,
# and is cancelled 0.1 s later.
sub cancel_call
{
    my ($sql) = @_;
    my $label = "$sql, cancelled";
    my $log_offset = -s $node->logfile;

    my $locker = $node->background_psql('postgres');
    $locker->query_safe('BEGIN; LOCK TABLE fkd_many.zz_child IN ACCESS EXCLUSIVE MODE;');
    my $session = $node->background_psql('postgres',
        on_error_stop => 0, extra_params => [ '-U', $role ]);
    my $pid = $session->query_safe('SELECT pg_backend_pid()');
    $session->query_until(qr/started/, "\\echo started\n$sql;\n");
    $node->poll_query_until('postgres',
        "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid")
      or die "$label never waited for the lock";
    $locker->query_safe('COMMIT');
    $locker->quit;
    sleep(0.1);
    $node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");

    my $stderr = '';
    eval {
        $session->query('SELECT 1');
        $stderr = $session->{stderr};
        $session->quit;
    };
    $stderr .= "\n(the session died: $@)" if $@;
    like($stderr, qr/canceling statement due to user request/, "$label: the call ends with 57014");
    unlike($stderr, qr/server closed the connection|connection to server was lost/,
        "$label: and the connection survives");
    server_did_not_restart($label, $log_offset);
}

for my $sql ('SELECT count(*) FROM fk_orphans()', 'SELECT count(*) FROM fk_audit()',
    'SELECT count(*) FROM fk_repairs()', 'SELECT fk_assert_clean()')
{
    timeouts_over_the_call($sql);
    cancel_call($sql);
}

# A user's PL/pgSQL operator that raises an error, on one key among 2,000,
# read last: that key is 'error', the others are checked.
{
    my $log_offset = -s $node->logfile;
    # Beside the regression tests, found from this file (the runners set
    # TESTDIR and the working directory differently).
    my $fixture = slurp_file(dirname(abs_path(__FILE__)) . '/../../sql/fixtures/touchy_ops.sql');
    # Operator classes are a superuser's to create; the tables are the owner's.
    $node->safe_psql('postgres', "SET search_path = fkd_many; $fixture");
    $node->safe_psql('postgres', q{
        SET search_path = fkd_many;
        CREATE TABLE zz_touchy_parent (id int NOT NULL);
        CREATE UNIQUE INDEX zz_touchy_parent_id ON zz_touchy_parent (id touchy_ops);
        CREATE TABLE zz_touchy_child (id int PRIMARY KEY, p int REFERENCES zz_touchy_parent (id));
        INSERT INTO zz_touchy_parent VALUES (1), (2);
        INSERT INTO zz_touchy_child VALUES (1, 1), (2, 2);
        INSERT INTO zz_touchy_parent VALUES (13);
    }, extra_params => [ '-U', $role ]);
    my ($ret, $stdout, $stderr) = $node->psql('postgres', q{
        SELECT status, count(*) FROM fk_audit() GROUP BY status ORDER BY status;
        SELECT constraint_name, status, diagnosis FROM fk_audit() WHERE status <> 'ok';
        }, extra_params => [ '-U', $role ]);
    is($stdout, "error|1\nok|2001\n"
          . "zz_touchy_child_p_fkey|error|the check failed: touchy_eq does not compare 13",
        'an operator error in a whole-database audit is that key\'s error row');
    is($stderr, '', 'and the audit itself does not fail');
    server_did_not_restart('operator error in fk_audit()', $log_offset);
}

$node->stop;
done_testing();
