# A budgeted audit (fk_audit_record(time_budget)) of children cut into many
# ranges, run after run with rows inserted and deleted between runs: every
# range counts exactly the orphans a hand-written anti-join finds in its
# blocks at that moment, a pass over an unchanged table sums to what one
# fk_audit() finds, and PostgreSQL's VALIDATE CONSTRAINT agrees once it is
# clean. While a run waits, another session sees where it is
# (fk_audit_progress).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('budget');
$node->init;
$node->start;

# A plain child and a partitioned one, both loaded with orphans (keys
# NOT VALID, so that VALIDATE CONSTRAINT can judge them at the end). Integer
# keys are checked in memory, the text key by the anti-join.
$node->safe_psql('postgres', q{
    CREATE EXTENSION fkdoctor;
    CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE);
    INSERT INTO parent SELECT g, 'k' || g FROM generate_series(1, 2000) g;
    CREATE TABLE child (id int, parent_id int, code text, pad text);
    INSERT INTO child SELECT g, CASE WHEN g % 37 = 0 THEN 5000 + g ELSE g % 2000 + 1 END,
        CASE WHEN g % 53 = 0 THEN 'gone' || g ELSE 'k' || (g % 2000 + 1) END, repeat('p', 60)
    FROM generate_series(1, 20000) g;
    ALTER TABLE child ADD CONSTRAINT child_parent_fkey
        FOREIGN KEY (parent_id) REFERENCES parent NOT VALID;
    ALTER TABLE child ADD CONSTRAINT child_code_fkey
        FOREIGN KEY (code) REFERENCES parent (code) NOT VALID;
    -- Before 18 a partitioned table's key cannot be NOT VALID: its orphans
    -- get in with the triggers off.
    CREATE TABLE parted (id int, parent_id int, pad text,
                         CONSTRAINT parted_parent_fkey FOREIGN KEY (parent_id) REFERENCES parent)
        PARTITION BY HASH (id);
    CREATE TABLE parted_0 PARTITION OF parted FOR VALUES WITH (MODULUS 2, REMAINDER 0);
    CREATE TABLE parted_1 PARTITION OF parted FOR VALUES WITH (MODULUS 2, REMAINDER 1);
    SET session_replication_role = replica;
    INSERT INTO parted SELECT g, CASE WHEN g % 41 = 0 THEN -g ELSE g % 2000 + 1 END, repeat('p', 60)
    FROM generate_series(1, 10000) g;
});

# The orphans of a key in blocks [first, end) of heap, by hand.
sub truth
{
    my ($heap, $first, $end, $column, $parent_column) = @_;
    return $node->safe_psql('postgres', qq{
        SELECT count(*) FROM ONLY $heap c
        WHERE c.ctid >= '($first,0)'::tid AND c.ctid < '($end,0)'::tid
          AND c.$column IS NOT NULL
          AND NOT EXISTS (SELECT FROM parent p WHERE p.$parent_column = c.$column)});
}

my %key_columns = (
    child_parent_fkey => [ 'parent_id', 'id' ],
    child_code_fkey => [ 'code', 'code' ],
    parted_parent_fkey => [ 'parent_id', 'id' ]);

# One budgeted run of rel, one range of 12 blocks; then each range it
# recorded is compared with the anti-join on the same blocks. Returns the
# number of ranges that disagreed.
sub run_and_compare
{
    my ($rel) = @_;
    my $run = $node->safe_psql('postgres', qq{
        SET fkdoctor.audit_range_blocks = 12;
        SELECT fk_audit_record('1 microsecond', '$rel')});
    my $ranges = $node->safe_psql('postgres', qq{
        SELECT constraint_name, heap, first_block, end_block, orphan_rows
        FROM fk_audit_range WHERE run_id = $run ORDER BY 1});
    my $wrong = 0;
    for my $range (split /\n/, $ranges) {
        my ($key, $heap, $first, $end, $orphans) = split /\|/, $range;
        my $expected = truth($heap, $first, $end, @{ $key_columns{$key} });
        if ($expected != $orphans) {
            diag("$key in $heap blocks $first-$end: $orphans orphans, the anti-join finds $expected");
            $wrong++;
        }
    }
    return $wrong;
}

sub pass_unfinished
{
    my ($rel) = @_;
    return $node->safe_psql('postgres',
        "SELECT count(*) FROM fk_audit_pass WHERE child_table = '$rel' AND finished_at IS NULL");
}

# Rows inserted (some orphans, at the end of the heap or in freed space)
# and deleted (anywhere) between runs, in replica mode so that orphans get in.
my $round = 0;
sub write_between_runs
{
    $round++;
    $node->safe_psql('postgres', qq{
        SET session_replication_role = replica;
        DELETE FROM child WHERE id % 97 = $round % 97;
        INSERT INTO child SELECT 100000 * $round + g,
            CASE WHEN g % 3 = 0 THEN -g ELSE g END, 'k' || g, 'new'
        FROM generate_series(1, 50) g;
        DELETE FROM parted WHERE id % 89 = $round % 89;
        INSERT INTO parted SELECT 100000 * $round + g, CASE WHEN g % 4 = 0 THEN -g ELSE g END, 'new'
        FROM generate_series(1, 30) g;
        DELETE FROM parent WHERE id = 1900 + $round;
    });
}

# Passes with writes between the runs: each range exact at its moment.
for my $rel ('public.child', 'public.parted') {
    my ($runs, $wrong) = (0, 0);
    do {
        $wrong += run_and_compare($rel);
        write_between_runs();
        $runs++;
    } while (pass_unfinished($rel) && $runs < 200);
    ok($runs > 10, "$rel: one pass took many runs ($runs)");
    is($wrong, 0, "$rel: every range counted the anti-join's orphans at its moment");
}

# A pass over unchanged tables sums to one fk_audit() and to the anti-join.
sub pass_totals
{
    my ($rel) = @_;
    return $node->safe_psql('postgres', qq{
        SELECT string_agg(constraint_name || ' ' || orphan_rows || ' ' || rows_checked, ', '
                          ORDER BY constraint_name)
        FROM fk_audit_coverage WHERE child_table = '$rel'});
}

sub audit_totals
{
    my ($rel) = @_;
    return $node->safe_psql('postgres', qq{
        SELECT string_agg(constraint_name || ' ' || orphan_rows || ' ' || rows_checked, ', '
                          ORDER BY constraint_name)
        FROM fk_audit('$rel')});
}

for my $rel ('public.child', 'public.parted') {
    # The pass that the last writes came before.
    my $wrong = 0;
    do { $wrong += run_and_compare($rel) } while (pass_unfinished($rel));
    is($wrong, 0, "$rel: the ranges of a pass over the unchanged table are exact");
    is(pass_totals($rel), audit_totals($rel), "$rel: the pass sums to one fk_audit()");
}
is($node->safe_psql('postgres', q{
    SELECT count(*) FROM ONLY child c
    WHERE NOT EXISTS (SELECT FROM parent p WHERE p.id = c.parent_id)}),
    $node->safe_psql('postgres',
        "SELECT orphan_rows FROM fk_audit_coverage WHERE constraint_name = 'child_parent_fkey'"),
    'child: the pass agrees with the anti-join of the whole table');

# Clean, and covered again: no orphans, and VALIDATE CONSTRAINT agrees
# (on the keys that are NOT VALID, which it checks).
$node->safe_psql('postgres', q{
    DELETE FROM child c WHERE NOT EXISTS (SELECT FROM parent p WHERE p.id = c.parent_id)
                           OR NOT EXISTS (SELECT FROM parent p WHERE p.code = c.code);
    DELETE FROM parted c WHERE NOT EXISTS (SELECT FROM parent p WHERE p.id = c.parent_id);
});
for my $rel ('public.child', 'public.parted') {
    do { run_and_compare($rel) } while (pass_unfinished($rel));
}
is($node->safe_psql('postgres',
    'SELECT string_agg(DISTINCT orphan_rows::text, \',\') FROM fk_audit_coverage'),
    '0', 'clean tables: every key covered with no orphans');
is($node->safe_psql('postgres',
    "SELECT string_agg(change, ',' ORDER BY constraint_name) FROM fk_audit_changes"),
    'repaired,repaired,repaired', 'and the changes say repaired');
my ($ret, $stdout, $stderr) = $node->psql('postgres', q{
    ALTER TABLE child VALIDATE CONSTRAINT child_parent_fkey;
    ALTER TABLE child VALIDATE CONSTRAINT child_code_fkey;
});
is($ret, 0, 'VALIDATE CONSTRAINT agrees: no orphans') or diag($stderr);

# Progress: a run waits for a lock on the parent of the table it reads;
# meanwhile another session sees the table, its keys and the blocks.
$node->safe_psql('postgres', q{
    CREATE TABLE waits_parent (id int PRIMARY KEY);
    CREATE TABLE waits (id int, parent_id int REFERENCES waits_parent, other_id int REFERENCES parent);
    INSERT INTO waits SELECT g, NULL, NULL FROM generate_series(1, 30000) g;
});
my ($lock_in, $lock_out, $audit_out, $audit_err) = ('', '', '', '');
my @psql = ('psql', '-X', '-q', '-At', '-h', $node->host, '-p', $node->port, 'postgres');
my $timer = IPC::Run::timer($PostgreSQL::Test::Utils::timeout_default);
my $locker = IPC::Run::start([@psql], '<', \$lock_in, '>', \$lock_out, $timer);
$lock_in .= "BEGIN;\nLOCK TABLE waits_parent IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n";
$locker->pump until $lock_out =~ /locked/;
my $audit = IPC::Run::start([ @psql, '-c', q{
    SET fkdoctor.progress = on;
    SET fkdoctor.audit_range_blocks = 50;
    SELECT fk_audit_record('1 hour', 'waits')} ], '>', \$audit_out, '2>', \$audit_err);
ok($node->poll_query_until('postgres', 'SELECT count(*) = 2 FROM fk_audit_progress'),
    'another session sees the waiting run');
my $blocks = $node->safe_psql('postgres',
    "SELECT pg_relation_size('waits') / current_setting('block_size')::int");
is($node->safe_psql('postgres', q{
    SELECT string_agg(format('%s %s %s %s-%s %s/%s', child_table, constraint_name, heap,
                             first_block, end_block, blocks_done, blocks_total), ', '
                      ORDER BY constraint_name)
    FROM fk_audit_progress}),
    "waits waits_other_id_fkey waits 0-50 0/$blocks, waits waits_parent_id_fkey waits 0-50 0/$blocks",
    'fk_audit_progress: table, keys, the range and blocks done of total');
like($node->safe_psql('postgres',
    "SELECT query FROM pg_stat_activity WHERE query LIKE 'fkdoctor progress:%'"),
    qr/\n.*SELECT fk_audit_record\('1 hour', 'waits'\)/s, 'the statement is still shown after the progress');
$lock_in .= "COMMIT;\n\\q\n";
$locker->finish;
$audit->finish;
like($audit_out, qr/^\d+$/m, 'the run went on once the lock was released');
like($audit_err, qr/NOTICE:  fkdoctor: waits_parent_id_fkey on public.waits: ok, 0 orphan rows in blocks 0 to 50 of public.waits; 50 of $blocks blocks done/,
    'fkdoctor.progress: a NOTICE per key and range, with the blocks done of total');
is($node->safe_psql('postgres', 'SELECT count(*) FROM fk_audit_progress'), '0',
    'nothing shown once the run is over');

$node->stop;
done_testing();
