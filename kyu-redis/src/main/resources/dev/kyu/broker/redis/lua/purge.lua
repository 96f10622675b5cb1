-- Deletes a queue's waiting (BLOCKED, SCHEDULED and QUEUED) jobs. ARGV: prefix, queue. Returns the deleted ids.
-- Each deleted job releases its dependents (lib.lua's release); their keys are checked before the first write.
local now = nowms()
local q = ARGV[2]
local out = {}
jobqneed()
qneed(q, ALLKEYS)
local doomed = {}
for _, st in ipairs({'BLOCKED', 'SCHEDULED', 'QUEUED'}) do
  for _, id in ipairs(redis.call('ZRANGE', qk(q, 'st:' .. st), 0, -1)) do
    doomed[#doomed + 1] = id
    relneed(depsof(jk(q, id)))
  end
end
for _, id in ipairs(doomed) do
  -- Read at its turn: a job released by one deleted before it is QUEUED now, in 'ready'.
  drop(q, id, hash(jk(q, id)), now)
  out[#out + 1] = id
end
-- Members left without a job hash (written by hand, or half-deleted) go too.
redis.call('DEL', qk(q, 'ready'), qk(q, 'sched'), qk(q, 'wake'))
return out
