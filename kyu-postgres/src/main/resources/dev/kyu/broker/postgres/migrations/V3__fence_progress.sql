-- Kyu PostgreSQL schema, version 3: fencing tokens and progress.
--
-- fence counts the leases a job has had (raised by one at every fetch, never lowered): a task reads it as
-- its fencing token. progress and progress_message hold the last progress a running attempt reported,
-- written with its heartbeat and kept after the job ends. Old rows start at fence 0 and no progress.
ALTER TABLE kyu_jobs ADD COLUMN IF NOT EXISTS fence bigint NOT NULL DEFAULT 0;
ALTER TABLE kyu_jobs ADD COLUMN IF NOT EXISTS progress double precision;
ALTER TABLE kyu_jobs ADD COLUMN IF NOT EXISTS progress_message text;

INSERT INTO kyu_schema_version (version, description) VALUES (3, 'fence and progress') ON CONFLICT (version) DO NOTHING;
