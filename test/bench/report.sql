-- The results tables, from bench.samples and bench.memory, as Markdown.
-- psql variables: not_in_timeout (e.g. 60s).
SET search_path = bench;
\pset format unaligned
\pset tuples_only on

CREATE TEMP VIEW all_medians AS
SELECT label, ms FROM medians
UNION ALL
SELECT 'best_anti_join', min(ms) FROM medians WHERE label IN ('left_join', 'not_exists')
UNION ALL
SELECT 'sum_of_three', sum(ms) FROM medians
WHERE label IN ('anti_a', 'anti_b', 'anti_c') HAVING count(*) = 3
UNION ALL
-- What fk_audit computes, written by hand: the orphans and the row count.
SELECT 'anti_join_and_count', min(ms) FILTER (WHERE label IN ('left_join', 'not_exists'))
                              + min(ms) FILTER (WHERE label = 'floor')
FROM medians
UNION ALL
SELECT 'three_and_count', sum(ms) FROM medians
WHERE label IN ('anti_a', 'anti_b', 'anti_c', 'floor_3') HAVING count(*) = 4;

CREATE TEMP VIEW time_rows AS
WITH spec(n, case_name, query, label, reference, target, target_text) AS (VALUES
    (1, 'main child', '`SELECT count(*) FROM fk_orphans(''child'')`', 'fk_orphans', 'best_anti_join', 1.2, '<= 1.2x best anti-join'),
    (2, 'main child', '`fk_audit(''child'')`', 'fk_audit', 'best_anti_join', 1.2, '<= 1.2x best anti-join'),
    (2.5, 'main child', '`fk_audit(''child'')`', 'fk_audit', 'anti_join_and_count', NULL, 'vs the same work by hand: best anti-join + `count(*)`'),
    (3, 'main child', 'LEFT JOIN anti-join `count(*)`', 'left_join', 'best_anti_join', NULL, 'reference'),
    (4, 'main child', 'NOT EXISTS anti-join `count(*)`', 'not_exists', 'best_anti_join', NULL, 'reference'),
    (5, 'main child', '`VALIDATE CONSTRAINT` on a clean copy', 'validate', 'best_anti_join', NULL, ''),
    (6, 'main child', '`NOT IN (SELECT id FROM parent)`', 'not_in', 'best_anti_join', NULL, ''),
    (7, 'main child', 'bare `count(*)` of the child (floor)', 'floor', 'best_anti_join', NULL, ''),
    (8, 'three keys', '`fk_audit(''three_keys'')`', 'fk_audit_3', 'sum_of_three', 0.8, '<= 0.8x sum of 3 anti-joins'),
    (8.5, 'three keys', '`fk_audit(''three_keys'')`', 'fk_audit_3', 'three_and_count', NULL, 'vs the same work by hand: 3 anti-joins + `count(*)`'),
    (9, 'three keys', 'the three anti-joins, one after another', 'sum_of_three', 'sum_of_three', NULL, 'reference'),
    (10, 'half orphans', '`SELECT count(*) FROM fk_orphans(''half'')`', 'fk_orphans_half', 'jsonb_half', 2.0, '<= 2x to_jsonb anti-join'),
    (11, 'half orphans', 'anti-join, `to_jsonb()` of each orphan row', 'jsonb_half', 'jsonb_half', NULL, 'reference'))
SELECT s.n, s.case_name, s.query, s.target, s.target_text, m.ms, m.ms / r.ms AS ratio,
       m.label IS NULL AS missing,
       EXISTS (SELECT FROM samples t WHERE t.label = s.label AND t.ms IS NULL) AS timed_out
FROM spec s
LEFT JOIN all_medians m ON m.label = s.label
LEFT JOIN all_medians r ON r.label = s.reference;

\echo
\echo '| case | query | median ms | ratio to reference | target | met? |'
\echo '|---|---|---|---|---|---|'
SELECT format('| %s | %s | %s | %s | %s | %s |', case_name, query,
              CASE WHEN timed_out THEN format('timeout (%s)', :'not_in_timeout')
                   WHEN missing THEN 'not available'
                   ELSE round(ms::numeric, 1)::text END,
              coalesce(round(ratio::numeric, 2)::text, '-'),
              target_text,
              CASE WHEN target IS NULL THEN ''
                   WHEN ratio IS NULL THEN '-'
                   WHEN ratio <= target THEN 'yes' ELSE 'NO' END)
FROM time_rows
ORDER BY n;

\echo
\echo '| peak backend memory | orphans | peak growth MB | of which shared memory MB | private MB |'
\echo '|---|---|---|---|---|'
SELECT format('| %s | %s | %s | %s | %s |', label, orphans,
              round(peak_kb / 1024.0, 1), round(shared_kb / 1024.0, 1),
              round((peak_kb - shared_kb) / 1024.0, 1))
FROM memory
ORDER BY n;

-- Memory must not grow with the number of orphans: fk_orphans on two tables
-- of the same size, one with ten times the orphans of the other.
SELECT format('| %s | %s | %s | %s | %s |',
              'fk_orphans private memory, ' || m.orphans || ' vs ' || f.orphans || ' orphans',
              'ratio ' || round((m.peak_kb - m.shared_kb)::numeric / greatest(f.peak_kb - f.shared_kb, 1), 2),
              'target <= 1.2x, or under 4 MB more', '',
              CASE WHEN (m.peak_kb - m.shared_kb) <= 1.2 * (f.peak_kb - f.shared_kb)
                     OR (m.peak_kb - m.shared_kb) - (f.peak_kb - f.shared_kb) < 4096
                   THEN 'met: yes' ELSE 'met: NO' END)
FROM memory m, memory f
WHERE m.label = '`fk_orphans(''half'')`' AND f.label = '`fk_orphans(''few'')`';

-- Growth with the child's size (the large scale).
SELECT EXISTS (SELECT FROM medians WHERE label LIKE 'growth_fk_%') AS has_growth \gset
\if :has_growth
\echo
\echo '| child rows | `count(*) FROM fk_orphans()` ms | ms per million rows | anti-join ms | ratio to anti-join |'
\echo '|---|---|---|---|---|'
CREATE TEMP VIEW growth AS
SELECT substring(f.label FROM 'growth_fk_(\d+)')::bigint AS rows, f.ms AS fk_ms, a.ms AS anti_ms
FROM medians f JOIN medians a ON a.label = replace(f.label, '_fk_', '_anti_')
WHERE f.label LIKE 'growth_fk_%';
SELECT format('| %s | %s | %s | %s | %s |', rows, round(fk_ms::numeric, 1),
              round((fk_ms * 1e6 / rows)::numeric, 1), round(anti_ms::numeric, 1),
              round((fk_ms / anti_ms)::numeric, 2))
FROM growth ORDER BY rows;
SELECT format('| time per row, %s rows vs %s rows | ratio %s | target <= 1.2x (linear or better) | | met: %s |',
              l.rows, s.rows, round(((l.fk_ms / l.rows) / (s.fk_ms / s.rows))::numeric, 2),
              CASE WHEN (l.fk_ms / l.rows) <= 1.2 * (s.fk_ms / s.rows) THEN 'yes' ELSE 'NO' END)
FROM (SELECT * FROM growth ORDER BY rows DESC LIMIT 1) l,
     (SELECT * FROM growth ORDER BY rows LIMIT 1) s;
\endif

\echo
\echo 'Every timed run, in round order (the spread shows how noisy the machine was):'
\echo
\echo '| query | ms |'
\echo '|---|---|'
SELECT format('| %s | %s |', label,
              string_agg(coalesce(round(ms::numeric, 1)::text, 'timeout'), ', ' ORDER BY round))
FROM samples
WHERE round > 0
GROUP BY label
ORDER BY label;
