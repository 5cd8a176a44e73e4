-- The Citus case's results table, from bench.samples on the one server,
-- where the Citus side's times are labelled citus_<query>, as Markdown.
SET search_path = bench;
\pset format unaligned
\pset tuples_only on

-- Every timed run (round 0 was the warm-up), and on each side what
-- fk_audit computes, written by hand: the orphans and the row count.
CREATE TEMP VIEW round_samples AS
WITH timed AS (SELECT * FROM samples WHERE round > 0)
SELECT label, round, ms FROM timed
UNION ALL
SELECT side || 'anti_join_and_count', round, sum(ms)
FROM timed CROSS JOIN LATERAL (SELECT CASE WHEN label LIKE 'citus\_%' THEN 'citus_' ELSE '' END AS side) s
WHERE label IN (side || 'not_exists', side || 'floor')
GROUP BY side, round HAVING count(*) = 2;

-- median_ms() and median_ratio() over round_samples.
\ir medians.sql

CREATE TEMP VIEW time_rows AS
WITH spec(n, query, label, reference, reference_text) AS (VALUES
    (1, '`fk_audit(''child'')`', 'fk_audit', 'not_exists', 'NOT EXISTS anti-join'),
    (2, '`fk_audit(''child'')`', 'fk_audit', 'anti_join_and_count', 'the same work by hand: anti-join + `count(*)`'),
    (3, '`SELECT count(*) FROM fk_orphans(''child'')`', 'fk_orphans', 'not_exists', 'NOT EXISTS anti-join'),
    (4, 'NOT EXISTS anti-join `count(*)`', 'not_exists', 'not_exists', 'reference'),
    (5, 'bare `count(*)` of the child (floor)', 'floor', 'not_exists', 'NOT EXISTS anti-join')),
sides(side, prefix) AS (VALUES ('Citus, 3 nodes', 'citus_'), ('one server', ''))
SELECT s.n, d.side, d.prefix = '' AS plain, s.query, s.reference_text,
       pg_temp.median_ms(d.prefix || s.label) AS ms,
       pg_temp.median_ratio(d.prefix || s.label, d.prefix || s.reference) AS ratio,
       -- The same query, Citus against one server, within each round.
       pg_temp.median_ratio('citus_' || s.label, s.label) AS citus_ratio
FROM spec s CROSS JOIN sides d;

\echo
\echo '| side | query | median ms | ratio to reference | reference | Citus / one server |'
\echo '|---|---|---|---|---|---|'
SELECT format('| %s | %s | %s | %s | %s | %s |', side, query,
              coalesce(round(ms::numeric, 1)::text, 'not available'),
              coalesce(round(ratio::numeric, 2)::text, '-'), reference_text,
              CASE WHEN plain OR n = 2 THEN '' ELSE coalesce(round(citus_ratio::numeric, 2)::text, '-') END)
FROM time_rows
ORDER BY plain, n;
\echo
\echo 'ratios: the median of the ratios within each round (a round runs each query once on each side).'

\echo
\ir all_runs.sql
