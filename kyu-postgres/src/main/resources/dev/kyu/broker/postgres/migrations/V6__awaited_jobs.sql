-- Kyu PostgreSQL schema, version 6: the end of an awaited job is announced.
--
-- A process awaiting a job (JobHandle.await, kyu enqueue --wait) sets awaited on its row, then waits on its
-- LISTEN connection. When such a row ends (SUCCEEDED, FAILED or CANCELLED) or is deleted, these triggers
-- send 'ended <id>' on the schema's channel, the one that carries queue names for fetchers (a queue name
-- cannot contain a space, so fetchers ignore it). The WHEN clauses are checked without calling the
-- function, so a job nobody awaits costs no NOTIFY and no function call: an ending statement's hot path
-- is unchanged. The NOTIFY is sent at the commit of the statement's transaction, like every other.
-- Adding a column with a constant default rewrites no rows (PostgreSQL 11+).
ALTER TABLE kyu_jobs ADD COLUMN IF NOT EXISTS awaited boolean NOT NULL DEFAULT false;

CREATE OR REPLACE FUNCTION kyu_announce_end() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ended uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN ended := OLD.id; ELSE ended := NEW.id; END IF;
  -- the channel name as the engine builds it: 'kyu_' and the schema, cut to PostgreSQL's 63 bytes
  PERFORM pg_notify(left('kyu_' || TG_TABLE_SCHEMA, 63), 'ended ' || ended::text);
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS kyu_awaited_end ON kyu_jobs;
CREATE TRIGGER kyu_awaited_end AFTER UPDATE ON kyu_jobs FOR EACH ROW
  WHEN (NEW.awaited AND NEW.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND OLD.state NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED'))
  EXECUTE FUNCTION kyu_announce_end();

DROP TRIGGER IF EXISTS kyu_awaited_delete ON kyu_jobs;
CREATE TRIGGER kyu_awaited_delete AFTER DELETE ON kyu_jobs FOR EACH ROW
  WHEN (OLD.awaited)
  EXECUTE FUNCTION kyu_announce_end();

INSERT INTO kyu_schema_version (version, description) VALUES (6, 'awaited jobs') ON CONFLICT (version) DO NOTHING;
