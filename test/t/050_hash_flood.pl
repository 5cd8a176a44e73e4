# A table owner cannot make a check slow by choosing keys that crowd the hash
# set holding them (issue 11): parent keys that all hashed to one slot under
# the old fixed hash give the anti-join's answers, fast, and a call under
# statement_timeout ends when told.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('flood');
$node->init;
$node->start;

# j times the inverse of 0x9E3779B97F4A7C15 mod 2^64 (as int8): the old hash,
# key * 0x9E3779B97F4A7C15, gave j, so every such key wanted slot 0. For a
# pair (0, b), the old hash came to the same for b = (t ^ (t >> 32)) times
# the inverse of 0xC2B2AE3D27D4EB4F, with t the key above.
$node->safe_psql('postgres', q{
    CREATE EXTENSION fkdoctor;
    CREATE FUNCTION signed(v numeric) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
        SELECT (CASE WHEN v >= 9223372036854775808 THEN v - 18446744073709551616 ELSE v END)::bigint
    $$;
    CREATE FUNCTION flood_unsigned(j bigint) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
        SELECT (j::numeric * 17428512612931826493) % 18446744073709551616
    $$;
    CREATE FUNCTION flood_key(j bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
        SELECT signed(flood_unsigned(j))
    $$;
    CREATE FUNCTION flood_pair_key(j bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
        SELECT signed(((high * 4294967296 + ((t % 4294967296)::bigint # high::bigint))
                       * 839798700976720815) % 18446744073709551616)
        FROM (SELECT t, div(t, 4294967296) AS high FROM flood_unsigned(j) t) s
    $$;

    SET session_replication_role = replica;  -- orphans, and no checks while loading
    CREATE TABLE parent (id bigint PRIMARY KEY);
    INSERT INTO parent SELECT flood_key(j) FROM generate_series(1, 200000) j;
    -- The smallest bigint marks a free slot: it is a key like any other.
    INSERT INTO parent VALUES (-9223372036854775808);
    CREATE TABLE pair_parent (a bigint, b bigint, PRIMARY KEY (a, b));
    INSERT INTO pair_parent SELECT 0, flood_pair_key(j) FROM generate_series(1, 100000) j;

    CREATE TABLE child (id int PRIMARY KEY, parent_id bigint REFERENCES parent,
                        a bigint, b bigint, FOREIGN KEY (a, b) REFERENCES pair_parent);
    INSERT INTO child SELECT j, flood_key(j), 0, flood_pair_key(j % 100000 + 1)
        FROM generate_series(1, 200000) j;
    -- 6000 orphan rows of 3000 keys that crowded the old hash as much,
    -- each key twice; some NULLs; the marker and the largest bigint.
    INSERT INTO child SELECT 200000 + j, flood_key(200001 + j % 3000), 0, flood_pair_key(100001 + j % 3000)
        FROM generate_series(1, 6000) j;
    INSERT INTO child VALUES (300001, NULL, 0, NULL), (300002, -9223372036854775808, NULL, NULL),
                             (300003, 9223372036854775807, 0, -9223372036854775808);
    ANALYZE parent, pair_parent, child;
});

my $audit = q{SELECT constraint_name, rows_checked, orphan_rows, missing_keys, status
              FROM fk_audit('child') ORDER BY 1};
my $orphans = q{SELECT constraint_name, count(*),
                       md5(string_agg(child_ctid::text || missing_key::text, ',' ORDER BY child_ctid))
                FROM fk_orphans('child') GROUP BY 1 ORDER BY 1};
my $anti_join = 'SET fkdoctor.check_in_memory = off;';

my $started = time();
my $in_memory = $node->safe_psql('postgres', $audit);
note('fk_audit in memory: ' . sprintf('%.1f s', time() - $started));
is($in_memory, $node->safe_psql('postgres', $anti_join . $audit),
    'fk_audit over keys that crowded the old hash gives the anti-join\'s counts');
is($in_memory, join("\n",
        'child_a_b_fkey|206003|6001|3001|orphans',
        'child_parent_id_fkey|206003|6001|3001|orphans'),
    'which are the orphans put there');

$started = time();
my $orphans_in_memory = $node->safe_psql('postgres', $orphans);
note('fk_orphans in memory: ' . sprintf('%.1f s', time() - $started));
is($orphans_in_memory, $node->safe_psql('postgres', $anti_join . $orphans),
    'fk_orphans gives the anti-join\'s rows');
like($orphans_in_memory, qr/^child_a_b_fkey\|6001\|\w+\nchild_parent_id_fkey\|6001\|\w+$/,
    'one per orphan row');

# A bound, not a benchmark: the old hash took 25 s to load these parent keys
# and heard no cancel meanwhile.
for my $function ('fk_audit', 'fk_orphans')
{
    $started = time();
    my ($ret, $stdout, $stderr) = $node->psql('postgres', qq{
        SET statement_timeout = '2s';
        SELECT count(*) FROM $function('child');
    });
    my $elapsed = time() - $started;
    ok($ret == 0 || $stderr =~ /canceling statement due to statement timeout/,
        "$function under statement_timeout gives its rows or times out")
      or diag($stderr);
    cmp_ok($elapsed, '<', 10, "$function under statement_timeout = 2s ends within 10 s");
}

$node->stop;
done_testing();
