-- Deletes jobs that are not RUNNING. ARGV: prefix, mode ('any', or 'ended': only jobs that have ended, for
-- the prune of a Cluster), n, then queue, id per job. Returns 1 (deleted) or 0 per job.
-- A deleted job releases its dependents (lib.lua's release), whose keys are checked with the others first.
local now = nowms()
local mode, n = ARGV[2], tonumber(ARGV[3])
local out = {}
jobqneed()
for i = 0, n - 1 do
  local q = ARGV[4 + i * 2]
  qneed(q, ALLKEYS)
  local deps = depsof(jk(q, ARGV[5 + i * 2]))
  if deps then links().relneed(q, deps) end
end
for i = 0, n - 1 do
  local q, id = ARGV[4 + i * 2], ARGV[5 + i * 2]
  local key = jk(q, id)
  local gone = 0
  local h = dropfields(key)
  if h.state or redis.call('EXISTS', key) == 1 then
    if h.state ~= 'RUNNING' and (mode ~= 'ended' or TERMINAL[h.state or '']) then
      drop(q, id, h, now)
      gone = 1
    end
  end
  out[#out + 1] = gone
end
return out
