-- Kyu PostgreSQL schema, version 5: links between jobs (the engine's part of workflows).
--
-- waits_for counts the jobs a BLOCKED job still waits for; dependents lists the jobs whose count this one
-- lowers when it ends or is deleted (NULL once released, and for the jobs that release none); retain_with
-- names a job this one is kept with by the prune. dependents and retain_with are uuid, not text or jsonb:
-- the type itself guarantees every element is a well-formed id, so a release (which runs inside every
-- statement that ends or deletes a job) can never fail on a stored value, and each element is found by
-- the primary key at 16 bytes. Adding a column with a constant default rewrites no rows (PostgreSQL 11+),
-- so an existing table upgrades in place; old rows wait for nothing, release nothing, are kept with nothing.
ALTER TABLE kyu_jobs ADD COLUMN IF NOT EXISTS waits_for int NOT NULL DEFAULT 0;
ALTER TABLE kyu_jobs ADD COLUMN IF NOT EXISTS dependents uuid[];
ALTER TABLE kyu_jobs ADD COLUMN IF NOT EXISTS retain_with uuid;

-- State is text without a CHECK constraint: 'BLOCKED' needs no change to be stored. A release finds its
-- dependents, and the prune the job a row is retained with, by primary key. Blocked jobs are counted,
-- listed and purged per queue through this index, written once per blocked job (at enqueue).
CREATE INDEX IF NOT EXISTS kyu_jobs_blocked ON kyu_jobs (queue, id) WHERE state = 'BLOCKED';

INSERT INTO kyu_schema_version (version, description) VALUES (5, 'job links') ON CONFLICT (version) DO NOTHING;
