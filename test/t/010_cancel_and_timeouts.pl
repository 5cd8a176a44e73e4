# A long fkdoctor check can be cancelled, obeys statement_timeout and
# lock_timeout, and never blocks writers; the backend keeps serving after.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->start;

# An equality that sleeps, and is neither hashable nor mergeable, makes the
# orphan check a slow nested loop: 200 x 200 comparisons of 1 ms or more.
$node->safe_psql('postgres', q{
    CREATE EXTENSION fkdoctor;
    CREATE FUNCTION slow_eq(int, int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN PERFORM pg_sleep(0.001); RETURN $1 = $2; END $$;
    CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = slow_eq);
    CREATE OPERATOR CLASS slow_ops FOR TYPE int USING btree AS
        OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 ===, OPERATOR 4 >=, OPERATOR 5 >,
        FUNCTION 1 btint4cmp(int, int);
    CREATE TABLE parent (id int NOT NULL);
    CREATE UNIQUE INDEX parent_id_slow ON parent (id slow_ops);
    CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
    INSERT INTO parent SELECT generate_series(1, 200);
    SET session_replication_role = replica;
    INSERT INTO child SELECT g, g + 1 FROM generate_series(1, 200) g;
});

sub wait_until_running
{
    my ($pid) = @_;
    $node->poll_query_until('postgres', qq{
        SELECT state = 'active' AND query LIKE '%fk_orphans%'
        FROM pg_stat_activity WHERE pid = $pid})
      or die "the check never started";
}

# Cancel.
my $session = $node->background_psql('postgres', on_error_stop => 0);
my $pid = $session->query_safe('SELECT pg_backend_pid()');
$session->query_until(qr/started/, q{
    \echo started
    SELECT count(*) FROM fk_orphans('child');
});
wait_until_running($pid);

# Writers go on while the check runs: it holds only AccessShareLock.
my $started = time();
$node->safe_psql('postgres', q{
    SET session_replication_role = replica;
    INSERT INTO child VALUES (1000, 1);
    UPDATE child SET parent_id = 2 WHERE id = 1000;
    DELETE FROM child WHERE id = 1000;
    INSERT INTO parent VALUES (1000);
    DELETE FROM parent WHERE id = 1000;
});
ok(time() - $started < 5, 'inserts, updates and deletes are not blocked by a running check');

$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
my $after_cancel = $session->query('SELECT 1');
like($session->{stderr}, qr/canceling statement due to user request/,
    'pg_cancel_backend cancels a running check');
$session->{stderr} = '';
is($session->query_safe('SELECT 42'), '42', 'the cancelled backend answers the next query');
is($session->query_safe('SELECT pg_backend_pid()'), $pid, 'in the same backend');
$session->quit;

# statement_timeout covers the whole call.
$started = time();
my ($ret, $stdout, $stderr) = $node->psql('postgres', q{
    SET statement_timeout = '300ms';
    SELECT count(*) FROM fk_orphans('child');
    });
like($stderr, qr/canceling statement due to statement timeout/, 'statement_timeout ends the check');
ok(time() - $started < 20, 'and does so promptly');

# lock_timeout: a check waiting for a lock gives up.
my $locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN; LOCK TABLE child IN ACCESS EXCLUSIVE MODE;');
($ret, $stdout, $stderr) = $node->psql('postgres', q{
    SET lock_timeout = '200ms';
    SELECT count(*) FROM fk_orphans('child');
    });
like($stderr, qr/canceling statement due to lock timeout/, 'lock_timeout ends a check that waits');
$locker->query_safe('ROLLBACK');
$locker->quit;

# fk_audit() keeps going past a key whose check fails, but not past a
# cancel or a timeout: those end the whole audit.
$session = $node->background_psql('postgres', on_error_stop => 0);
$pid = $session->query_safe('SELECT pg_backend_pid()');
$session->query_until(qr/started/, q{
    \echo started
    SELECT count(*) FROM fk_audit();
});
$node->poll_query_until('postgres',
    "SELECT state = 'active' AND query LIKE '%fk_audit%' FROM pg_stat_activity WHERE pid = $pid")
  or die "the audit never started";
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
$session->query('SELECT 1');
like($session->{stderr}, qr/canceling statement due to user request/, 'pg_cancel_backend ends fk_audit');
$session->{stderr} = '';
is($session->query_safe('SELECT 42'), '42', 'and the backend answers the next query');
$session->quit;
($ret, $stdout, $stderr) = $node->psql('postgres', q{
    SET statement_timeout = '300ms';
    SELECT status FROM fk_audit('child');
    });
like($stderr, qr/canceling statement due to statement timeout/,
    'statement_timeout ends fk_audit rather than becoming an error row');
is($stdout, '', 'and no audit rows come back');

# After all that, an ordinary check still works.
$node->safe_psql('postgres', q{
    DROP TABLE child, parent;
    CREATE TABLE parent (id int PRIMARY KEY);
    CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);
    SET session_replication_role = replica;
    INSERT INTO child VALUES (1, 5);
});
is($node->safe_psql('postgres', "SELECT missing_key FROM fk_orphans('child')"),
    '{"parent_id": 5}', 'checks still work afterwards');

# The same key is checked in memory (an integer key): a cancel while that
# scan of the child waits for a lock ends fk_orphans() and fk_audit() alike,
# and the backend goes on.
$locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN; LOCK TABLE child IN ACCESS EXCLUSIVE MODE;');
for my $function ('fk_orphans', 'fk_audit')
{
    $session = $node->background_psql('postgres', on_error_stop => 0);
    $pid = $session->query_safe('SELECT pg_backend_pid()');
    $session->query_until(qr/started/, qq{
        \\echo started
        SELECT count(*) FROM $function('child');
    });
    $node->poll_query_until('postgres',
        "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $pid")
      or die "$function never waited for the lock";
    $node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
    $session->query('SELECT 1');
    like($session->{stderr}, qr/canceling statement due to user request/,
        "a cancel ends $function checking a key in memory");
    $session->{stderr} = '';
    is($session->query_safe('SELECT 42'), '42', 'and the backend answers the next query');
    $session->quit;
}
$locker->query_safe('ROLLBACK');
$locker->quit;
is($node->safe_psql('postgres', "SELECT orphan_rows FROM fk_audit('child')"),
    '1', 'and the check works once the lock is gone');

# fkdoctor.progress: a NOTICE per key as the audit goes.
($ret, $stdout, $stderr) = $node->psql('postgres', q{
    SET fkdoctor.progress = on;
    SELECT count(*) FROM fk_audit('child');
    });
like($stderr, qr/NOTICE:  fkdoctor: child_parent_id_fkey on public\.child: orphans, 1 orphan row, \d+ ms/,
    'fkdoctor.progress reports each key');

$node->stop;
done_testing();
