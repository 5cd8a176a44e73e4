-- Every timed run of bench.samples, in round order, as Markdown (included
-- by report.sql and citus_report.sql).
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
