-- The results tables, from bench.samples and bench.memory, as Markdown.
-- psql variables: not_in_timeout (e.g. 60s).
SET search_path = bench;
\pset format unaligned
\pset tuples_only on

-- Every timed run (round 0 was the warm-up), and the references that are
-- made of several queries, added up within each round.
CREATE TEMP VIEW round_samples AS
WITH timed AS (SELECT * FROM samples WHERE round > 0)
SELECT label, round, ms FROM timed
UNION ALL
SELECT 'best_anti_join', round, min(ms) FROM timed
WHERE label IN ('left_join', 'not_exists') GROUP BY round HAVING count(*) = 2
UNION ALL
SELECT 'best_text_anti_join', round, min(ms) FROM timed
WHERE label IN ('text_left_join', 'text_not_exists') GROUP BY round HAVING count(*) = 2
UNION ALL
SELECT 'sum_of_three', round, sum(ms) FROM timed
WHERE label IN ('anti_a', 'anti_b', 'anti_c') GROUP BY round HAVING count(*) = 3
UNION ALL
-- What fk_audit computes, written by hand: the orphans and the row count.
SELECT 'anti_join_and_count', round, min(ms) FILTER (WHERE label IN ('left_join', 'not_exists'))
                                     + min(ms) FILTER (WHERE label = 'floor')
FROM timed GROUP BY round
UNION ALL
SELECT 'three_and_count', round, sum(ms) FROM timed
WHERE label IN ('anti_a', 'anti_b', 'anti_c', 'floor_3') GROUP BY round HAVING count(*) = 4
UNION ALL
SELECT 'keys_read', round, sum(ms) FROM timed
WHERE label IN ('keys_child', 'keys_parent') GROUP BY round HAVING count(*) = 2
UNION ALL
SELECT 'keys_read_3', round, sum(ms) FROM timed
WHERE label IN ('keys_3', 'keys_a', 'keys_b', 'keys_c') GROUP BY round HAVING count(*) = 4
UNION ALL
SELECT 'keys_read_text', round, sum(ms) FROM timed
WHERE label IN ('keys_text', 'keys_codes') GROUP BY round HAVING count(*) = 2;

-- median_ms() and median_ratio() over round_samples.
\ir medians.sql

-- Each row: the query, its reference and the floor of its case (the bare
-- parallel count(*) of the child: the least any check reading it costs),
-- and a target on one of the two ratios.
CREATE TEMP VIEW time_rows AS
WITH spec(n, case_name, query, label, reference, floor, target, target_on, target_text) AS (VALUES
    (1, 'main child', '`SELECT count(*) FROM fk_orphans(''child'')`', 'fk_orphans', 'best_anti_join', 'floor', 1.5, 'floor', '<= 1.5x floor'),
    (1.5, 'main child', '`SELECT count(*) FROM fk_orphans(''child'')`', 'fk_orphans', 'best_anti_join', 'floor', 1.2, 'reference', '<= 1.2x best anti-join'),
    (2, 'main child', '`fk_audit(''child'')`', 'fk_audit', 'best_anti_join', 'floor', 1.3, 'floor', '<= 1.3x floor'),
    (2.2, 'main child', '`fk_audit(''child'')`', 'fk_audit', 'best_anti_join', 'floor', 1.2, 'reference', '<= 1.2x best anti-join'),
    (2.5, 'main child', '`fk_audit(''child'')`', 'fk_audit', 'anti_join_and_count', 'floor', NULL, NULL, 'vs the same work by hand: best anti-join + `count(*)`'),
    (3, 'main child', 'LEFT JOIN anti-join `count(*)`', 'left_join', 'best_anti_join', 'floor', NULL, NULL, 'reference'),
    (4, 'main child', 'NOT EXISTS anti-join `count(*)`', 'not_exists', 'best_anti_join', 'floor', NULL, NULL, 'reference'),
    (5, 'main child', '`VALIDATE CONSTRAINT` on a clean copy', 'validate', 'best_anti_join', 'floor', NULL, NULL, ''),
    (6, 'main child', '`NOT IN (SELECT id FROM parent)`', 'not_in', 'best_anti_join', 'floor', NULL, NULL, ''),
    (7, 'main child', 'bare `count(*)` of the child (floor)', 'floor', 'best_anti_join', 'floor', NULL, NULL, 'floor'),
    (7.5, 'main child', 'the keys alone: `count(parent_id)` of the child + `count(id)` of the parent', 'keys_read', 'best_anti_join', 'floor', NULL, NULL, 'what reading the keys costs'),
    (8, 'three keys (int, int, text)', '`fk_audit(''three_keys'')`', 'fk_audit_3', 'sum_of_three', 'floor_3', 1.5, 'floor', '<= 1.5x floor'),
    (8.2, 'three keys (int, int, text)', '`fk_audit(''three_keys'')`', 'fk_audit_3', 'sum_of_three', 'floor_3', 0.8, 'reference', '<= 0.8x sum of 3 anti-joins'),
    (8.5, 'three keys (int, int, text)', '`fk_audit(''three_keys'')`', 'fk_audit_3', 'three_and_count', 'floor_3', NULL, NULL, 'vs the same work by hand: 3 anti-joins + `count(*)`'),
    (9, 'three keys (int, int, text)', 'the three anti-joins, one after another', 'sum_of_three', 'sum_of_three', 'floor_3', NULL, NULL, 'reference'),
    (9.5, 'three keys (int, int, text)', 'bare `count(*)` (floor)', 'floor_3', 'sum_of_three', 'floor_3', NULL, NULL, 'floor'),
    (9.7, 'three keys (int, int, text)', 'the keys alone: `count()` of the three columns + `count(id)` of each parent', 'keys_read_3', 'sum_of_three', 'floor_3', NULL, NULL, 'what reading the keys costs'),
    (10, 'text key', '`fk_audit(''text_child'')`', 'fk_audit_text', 'best_text_anti_join', 'floor_text', 0.3, 'reference', '<= 0.3x best anti-join'),
    (10.5, 'text key', '`SELECT count(*) FROM fk_orphans(''text_child'')`', 'fk_orphans_text', 'best_text_anti_join', 'floor_text', 0.3, 'reference', '<= 0.3x best anti-join'),
    (11, 'text key', 'LEFT JOIN anti-join `count(*)`', 'text_left_join', 'best_text_anti_join', 'floor_text', NULL, NULL, 'reference'),
    (11.5, 'text key', 'NOT EXISTS anti-join `count(*)`', 'text_not_exists', 'best_text_anti_join', 'floor_text', NULL, NULL, 'reference'),
    (11.7, 'text key', 'bare `count(*)` (floor)', 'floor_text', 'best_text_anti_join', 'floor_text', NULL, NULL, 'floor'),
    (11.8, 'text key', 'the keys alone: `count(parent_id)` of the child + `count(id)` of the parent', 'keys_read_text', 'best_text_anti_join', 'floor_text', NULL, NULL, 'what reading the keys costs'),
    (12, 'half orphans', '`SELECT count(*) FROM fk_orphans(''half'')`', 'fk_orphans_half', 'jsonb_half', 'floor_half', 2.0, 'reference', '<= 2x `to_jsonb()` anti-join'),
    (13, 'half orphans', 'anti-join, `to_jsonb()` of each orphan row', 'jsonb_half', 'jsonb_half', 'floor_half', NULL, NULL, 'reference'),
    (14, 'sparse parent, 20M keys', '`fk_audit(''sparse_child'')`', 'fk_audit_sparse', 'sparse_not_exists', 'floor_sparse', NULL, NULL, 'parent too big for memory: the anti-join'),
    (14.5, 'sparse parent, 20M keys', '`SELECT count(*) FROM fk_orphans(''sparse_child'')`', 'fk_orphans_sparse', 'sparse_not_exists', 'floor_sparse', NULL, NULL, ''),
    (15, 'sparse parent, 20M keys', 'NOT EXISTS anti-join `count(*)`', 'sparse_not_exists', 'sparse_not_exists', 'floor_sparse', NULL, NULL, 'reference'))
SELECT s.n, s.case_name, s.query, s.target, s.target_on, s.target_text,
       pg_temp.median_ms(s.label) AS ms,
       pg_temp.median_ratio(s.label, s.reference) AS ratio,
       pg_temp.median_ratio(s.label, s.floor) AS floor_ratio,
       NOT EXISTS (SELECT FROM round_samples t WHERE t.label = s.label) AS missing,
       EXISTS (SELECT FROM samples t WHERE t.label = s.label AND t.ms IS NULL) AS timed_out
FROM spec s
-- The sparse case runs at the large scale only.
WHERE s.label NOT LIKE '%sparse%' OR EXISTS (SELECT FROM samples t WHERE t.label LIKE '%sparse%');

\echo
\echo '| case | query | median ms | ratio to reference | ratio to floor | target | met? |'
\echo '|---|---|---|---|---|---|---|'
SELECT format('| %s | %s | %s | %s | %s | %s | %s |', case_name, query,
              CASE WHEN timed_out THEN format('timeout (%s)', :'not_in_timeout')
                   WHEN missing THEN 'not available'
                   ELSE round(ms::numeric, 1)::text END,
              coalesce(round(ratio::numeric, 2)::text, '-'),
              coalesce(round(floor_ratio::numeric, 2)::text, '-'),
              target_text,
              CASE WHEN target IS NULL THEN ''
                   WHEN (CASE target_on WHEN 'floor' THEN floor_ratio ELSE ratio END) IS NULL THEN '-'
                   WHEN (CASE target_on WHEN 'floor' THEN floor_ratio ELSE ratio END) <= target THEN 'yes'
                   ELSE 'NO' END)
FROM time_rows
ORDER BY n;
\echo
\echo 'ratios: the median of the ratios within each round.'

\echo
\echo '| peak backend memory | orphans | peak growth MB | of which shared buffers MB | the rest MB |'
\echo '|---|---|---|---|---|'
SELECT format('| %s | %s | %s | %s | %s |', label, orphans,
              round(peak_kb / 1024.0, 1), round(shared_kb / 1024.0, 1),
              round((peak_kb - shared_kb) / 1024.0, 1))
FROM memory
ORDER BY n;

-- Memory must not grow with the number of orphans: fk_orphans at 50k and
-- at 500k orphans, each way it reads them (n 4 and 5 in memory, 6 and 7 by
-- the anti-join at the default scale). Shared buffers the backend touched count in its peak but
-- are not the call's own; the rest is the call's memory and the parallel
-- query's shared memory (the parallel hash table), both released when the
-- call ends.
SELECT format('| %s | %s | %s | %s | %s |',
              'fk_orphans memory besides shared buffers, ' || m.orphans || ' vs ' || f.orphans ||
              ' orphans: ' || CASE f.n WHEN 4 THEN 'many vs few' ELSE 'half vs few (check_in_memory off)' END,
              'ratio ' || round((m.peak_kb - m.shared_kb)::numeric / greatest(f.peak_kb - f.shared_kb, 1), 2),
              'target <= 1.2x, or under 4 MB more', '',
              CASE WHEN (m.peak_kb - m.shared_kb) <= 1.2 * (f.peak_kb - f.shared_kb)
                     OR (m.peak_kb - m.shared_kb) - (f.peak_kb - f.shared_kb) < 4096
                   THEN 'met: yes' ELSE 'met: NO' END)
FROM memory m JOIN memory f ON f.n = m.n - 1
WHERE m.n IN (5, 7)
ORDER BY m.n;

-- Growth with the child's size (the large scale).
SELECT EXISTS (SELECT FROM samples WHERE label LIKE 'growth_fk_%') AS has_growth \gset
\if :has_growth
\echo
\echo '| child rows | `count(*) FROM fk_orphans()` ms | ms per million rows | anti-join ms | ratio to anti-join |'
\echo '|---|---|---|---|---|'
CREATE TEMP VIEW growth AS
SELECT substring(label FROM 'growth_fk_(\d+)')::bigint AS rows,
       pg_temp.median_ms(label) AS fk_ms,
       pg_temp.median_ms(replace(label, '_fk_', '_anti_')) AS anti_ms,
       pg_temp.median_ratio(label, replace(label, '_fk_', '_anti_')) AS ratio
FROM (SELECT DISTINCT label FROM samples WHERE label LIKE 'growth_fk_%') l;
SELECT format('| %s | %s | %s | %s | %s |', rows, round(fk_ms::numeric, 1),
              round((fk_ms * 1e6 / rows)::numeric, 1), round(anti_ms::numeric, 1),
              round(ratio::numeric, 2))
FROM growth ORDER BY rows;
-- Linear means each added row costs the same: the time per added row
-- between the two largest sizes against that between the two smallest
-- (the fixed cost of a call drops out).
WITH sized AS (SELECT rows, fk_ms, lag(rows) OVER w AS prev_rows, lag(fk_ms) OVER w AS prev_ms
               FROM growth WINDOW w AS (ORDER BY rows)),
     marginal AS (SELECT prev_rows, rows, (fk_ms - prev_ms) * 1e6 / (rows - prev_rows) AS ms_per_million
                  FROM sized WHERE prev_rows IS NOT NULL),
     s AS (SELECT * FROM marginal ORDER BY rows LIMIT 1),
     l AS (SELECT * FROM marginal ORDER BY rows DESC LIMIT 1)
SELECT format('| added rows, %s to %s vs %s to %s | %s vs %s ms per million added rows | ratio %s | target <= 1.2x (linear) | met: %s |',
              s.prev_rows, s.rows, l.prev_rows, l.rows,
              round(s.ms_per_million::numeric, 1), round(l.ms_per_million::numeric, 1),
              round((l.ms_per_million / s.ms_per_million)::numeric, 2),
              CASE WHEN l.ms_per_million <= 1.2 * s.ms_per_million THEN 'yes' ELSE 'NO' END)
FROM s, l;
\endif

\echo
\ir all_runs.sql
