-- Kyu PostgreSQL schema, version 2: fewer index entries written per job.
--
-- A job's state changes (QUEUED -> RUNNING -> SUCCEEDED) cannot be HOT updates, since state is indexed:
-- each writes a new entry into every index whose predicate the new row version matches. An index on all
-- rows is thus written three times per job. Version 1 had three such indexes (primary key, by state, by
-- queue); now only the primary key covers every row, and the listing indexes cover the finished jobs
-- alone, written once, when a job finishes. Live jobs are found through the partial indexes that fetch,
-- promotion and rescue already keep (kyu_jobs_fetch, kyu_jobs_scheduled, kyu_jobs_running), each keyed
-- by queue; listings by state alone of succeeded or queued jobs read the primary key newest first.
DROP INDEX IF EXISTS kyu_jobs_by_state;
DROP INDEX IF EXISTS kyu_jobs_by_queue;
-- dashboard and CLI listing of failed and cancelled jobs, newest first
CREATE INDEX IF NOT EXISTS kyu_jobs_failed ON kyu_jobs (state, id) WHERE state IN ('FAILED', 'CANCELLED');
-- listing and counting a queue's finished jobs, newest first
CREATE INDEX IF NOT EXISTS kyu_jobs_done_by_queue ON kyu_jobs (queue, state, id) WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED');

INSERT INTO kyu_schema_version (version, description) VALUES (2, 'lean indexes') ON CONFLICT (version) DO NOTHING;
