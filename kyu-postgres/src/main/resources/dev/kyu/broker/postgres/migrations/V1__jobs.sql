-- Kyu PostgreSQL schema, version 1.
--
-- Names are unqualified: Kyu runs this with search_path set to its schema (option `schema`, default
-- `kyu`). Flyway or Liquibase users run it with their default schema set to the same name, e.g.
-- `flyway.schemas=kyu`. Every statement is idempotent, and the last one records the version, so Kyu
-- sees a schema migrated by another tool as up to date.

CREATE TABLE IF NOT EXISTS kyu_schema_version (
    version     int PRIMARY KEY,
    description text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per job. Text (not jsonb) for args, result, errors and meta: args are kept byte for byte as
-- enqueued, and text costs no parsing on the hot path. state is text so a row stays readable in psql.
-- fillfactor leaves room on each page so that heartbeats (which touch no indexed column) are HOT updates.
CREATE TABLE IF NOT EXISTS kyu_jobs (
    id               uuid PRIMARY KEY,
    task             text NOT NULL,
    queue            text NOT NULL,
    args             text NOT NULL,
    priority         int NOT NULL DEFAULT 0,
    state            text NOT NULL,
    attempt          int NOT NULL DEFAULT 0,
    max_attempts     int NOT NULL DEFAULT 1,
    enqueued_at      timestamptz NOT NULL,
    scheduled_at     timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    lease_expires_at timestamptz,
    worker_id        text,
    result           text,
    errors           text NOT NULL DEFAULT '[]',
    unique_key       text,
    unique_scope     text,
    -- the key while this job holds it (scopes QUEUED and ACTIVE); cleared when the job leaves its scope
    unique_claim     text,
    timeout_ms       bigint,
    backoff          text,
    meta             text NOT NULL DEFAULT '{}',
    cancel_requested boolean NOT NULL DEFAULT false
) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

-- fetch: the next due jobs of one queue, by priority then age
CREATE INDEX IF NOT EXISTS kyu_jobs_fetch ON kyu_jobs (queue, priority DESC, id) WHERE state = 'QUEUED';
-- promotion of delayed jobs, oldest due first
CREATE INDEX IF NOT EXISTS kyu_jobs_due ON kyu_jobs (scheduled_at) WHERE state = 'SCHEDULED';
-- the fetcher's "when is the next job of these queues due"
CREATE INDEX IF NOT EXISTS kyu_jobs_scheduled ON kyu_jobs (queue, scheduled_at) WHERE state = 'SCHEDULED';
-- rescue of expired leases; keyed without lease_expires_at so heartbeats stay HOT
CREATE INDEX IF NOT EXISTS kyu_jobs_running ON kyu_jobs (queue) WHERE state = 'RUNNING';
-- pruning by age of terminal jobs
CREATE INDEX IF NOT EXISTS kyu_jobs_finished ON kyu_jobs (state, finished_at) WHERE finished_at IS NOT NULL;
-- dashboard and CLI listing, newest first
CREATE INDEX IF NOT EXISTS kyu_jobs_by_state ON kyu_jobs (state, id);
CREATE INDEX IF NOT EXISTS kyu_jobs_by_queue ON kyu_jobs (queue, state, id);
-- unique keys (scopes QUEUED and ACTIVE) are enforced here: enqueue is INSERT ... ON CONFLICT DO NOTHING
CREATE UNIQUE INDEX IF NOT EXISTS kyu_jobs_unique_claim ON kyu_jobs (unique_claim) WHERE unique_claim IS NOT NULL;

-- unique keys of scope PERIOD: held until `until`, whatever became of the job
CREATE TABLE IF NOT EXISTS kyu_unique_periods (
    key    text PRIMARY KEY,
    job_id uuid NOT NULL,
    until  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS kyu_queues (
    queue  text PRIMARY KEY,
    paused boolean NOT NULL DEFAULT false
);

-- finished jobs per minute and queue, written in the transaction that records the outcome
CREATE TABLE IF NOT EXISTS kyu_stats (
    minute    timestamptz NOT NULL,
    queue     text NOT NULL,
    succeeded bigint NOT NULL DEFAULT 0,
    failed    bigint NOT NULL DEFAULT 0,
    retried   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (minute, queue)
);

CREATE TABLE IF NOT EXISTS kyu_workers (
    id           text PRIMARY KEY,
    info         text NOT NULL,
    heartbeat_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS kyu_kv (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE IF NOT EXISTS kyu_locks (
    name       text PRIMARY KEY,
    owner      text NOT NULL,
    expires_at timestamptz NOT NULL
);

INSERT INTO kyu_schema_version (version, description) VALUES (1, 'jobs') ON CONFLICT (version) DO NOTHING;
