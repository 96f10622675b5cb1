-- Deletes jobs that are not RUNNING. ARGV: prefix, n, then queue, id per job. Returns 1 (deleted) or 0 per job.
-- A deleted job releases its dependents (lib.lua's release), whose keys are checked with the others first.
local now = nowms()
local n = tonumber(ARGV[2])
local out = {}
jobqneed()
for i = 0, n - 1 do
  local q = ARGV[3 + i * 2]
  qneed(q, ALLKEYS)
  relneed(depsof(jk(q, ARGV[4 + i * 2])))
end
for i = 0, n - 1 do
  local q, id = ARGV[3 + i * 2], ARGV[4 + i * 2]
  local key = jk(q, id)
  local gone = 0
  local h = dropfields(key)
  if h.state or redis.call('EXISTS', key) == 1 then
    if h.state ~= 'RUNNING' then
      drop(q, id, h, now)
      gone = 1
    end
  end
  out[#out + 1] = gone
end
return out
