-- Kyu PostgreSQL schema, version 4: per-job result retention.
--
-- result_ttl_ms, when set, is how long a job is kept once it ends, in place of the prune's global
-- retention; old rows have none. The prune finds the rows whose own ttl ran out through kyu_jobs_expiry,
-- keyed by finish time plus ttl. timestamptz + interval is only STABLE in general (days and months depend
-- on the time zone); an interval of milliseconds does not, so this wrapper is truly IMMUTABLE and may key
-- an index.
ALTER TABLE kyu_jobs ADD COLUMN IF NOT EXISTS result_ttl_ms bigint;

CREATE OR REPLACE FUNCTION kyu_result_expiry(finished timestamptz, ttl_ms bigint) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT finished + ttl_ms * interval '1 millisecond' $$;

CREATE INDEX IF NOT EXISTS kyu_jobs_expiry ON kyu_jobs (kyu_result_expiry(finished_at, result_ttl_ms))
    WHERE result_ttl_ms IS NOT NULL AND state IN ('SUCCEEDED', 'FAILED', 'CANCELLED');

INSERT INTO kyu_schema_version (version, description) VALUES (4, 'result ttl') ON CONFLICT (version) DO NOTHING;
