-- How the benchmark measures, in the server: times with clock_timestamp()
-- around each query (no client round trip or transfer in them), and a
-- backend's peak memory from its own /proc status.
SET search_path = bench;

CREATE TABLE samples (label text NOT NULL, round int NOT NULL, ms float8);  -- ms NULL: timed out
CREATE TABLE memory (n int, label text PRIMARY KEY, orphans bigint, peak_kb bigint, shared_kb bigint);

-- Runs query once and records its time. guarded: in a subtransaction, so a
-- statement_timeout is recorded as a timeout (NULL) instead of ending the
-- run; undo: the query's effects are rolled back once it is timed.
-- A query that already timed out once is not run again.
CREATE FUNCTION time_query(label text, round int, query text,
                           guarded boolean DEFAULT false, undo boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz;
    elapsed float8;
BEGIN
    IF EXISTS (SELECT FROM bench.samples s WHERE s.label = time_query.label AND s.ms IS NULL) THEN
        RETURN;
    END IF;
    IF NOT guarded THEN
        -- No subtransaction around the plain case: the query runs exactly as typed.
        started := clock_timestamp();
        EXECUTE query;
        elapsed := 1000 * extract(epoch FROM clock_timestamp() - started);
    ELSE
        BEGIN
            started := clock_timestamp();
            EXECUTE query;
            elapsed := 1000 * extract(epoch FROM clock_timestamp() - started);
            IF undo THEN
                RAISE EXCEPTION 'bench: undo';
            END IF;
        EXCEPTION
            WHEN query_canceled THEN
                elapsed := NULL;
            WHEN raise_exception THEN
                IF SQLERRM <> 'bench: undo' THEN
                    RAISE;
                END IF;
        END;
    END IF;
    INSERT INTO bench.samples VALUES (label, round, elapsed);
END $$;

-- A field of this backend's /proc status, in kB (VmHWM: peak resident
-- memory; RssShmem: shared memory mapped now, i.e. the shared buffers it has
-- touched, as a parallel query's own segments are gone once it ends).
CREATE FUNCTION status_kb(field text) RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/self/status'), field || ':\s+(\d+)'))[1]::bigint
$$;

-- Resets this backend's VmHWM to its current size (Linux clear_refs), so
-- that the next peak is the call's own. False where that is not possible:
-- the peak then includes the backend's start.
CREATE FUNCTION reset_peak() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    COPY (SELECT 5) TO '/proc/self/clear_refs';
    RETURN true;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END $$;
