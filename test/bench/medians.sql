-- The medians of the benchmarks' reports, over the temporary view
-- round_samples (label, round, ms) the report defines first: every timed
-- run (round 0, the warm-up, left out), and the references made of several
-- queries. Included by report.sql and citus_report.sql (\ir).

-- The median time of a query; NULL if it ever timed out.
CREATE FUNCTION pg_temp.median_ms(query_label text) RETURNS float8 LANGUAGE sql AS $$
    SELECT CASE WHEN bool_and(ms IS NOT NULL)
                THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) END
    FROM round_samples WHERE label = query_label
$$;

-- The median of the query's ratios to its reference, each taken within one
-- round: the two ran close together, so load that drifts during the run
-- (other work on the machine) cancels out.
CREATE FUNCTION pg_temp.median_ratio(query_label text, reference text) RETURNS float8
LANGUAGE sql AS $$
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY m.ms / r.ms)
    FROM round_samples m JOIN round_samples r USING (round)
    WHERE m.label = query_label AND r.label = reference
$$;
