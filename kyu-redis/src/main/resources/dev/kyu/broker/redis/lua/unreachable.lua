-- Quarantines jobs no fetch could ever reach, so they would wait for ever; each goes to FAILED
-- (kyu.CorruptJob) with the reason. ARGV: prefix, bound, nq, queues... With a bound in epoch ms: the
-- SCHEDULED jobs due past it (a score above it, +inf included). With the bound 'queue': the queues' QUEUED
-- jobs, their names being ones no worker can ask for. At most 100 per queue per call.
-- Returns {how many moved, {queue, reason, ...}}: a queue with a key of another type is skipped, unwritten,
-- and named with the reason.
local now = nowms()
local bound, nq = ARGV[2], tonumber(ARGV[3])
local moved = 0
local bad = {}
-- Every key bury() may write for a waiting job: detach's three sets, the state indexes it leaves and enters.
local TOUCHED = {'ready', 'sched', 'run', 'st:BLOCKED', 'st:SCHEDULED', 'st:QUEUED', 'st:FAILED', 'fin:FAILED', 'exp'}
for i = 1, nq do
  local q = ARGV[3 + i]
  local found
  if bound == 'queue' then
    local ready = qkc(q, 'ready')
    found = met(redis.pcall('ZRANGE', ready, 0, 99), ready, 'zset')
  else
    local sched = qkc(q, 'sched')
    found = met(redis.pcall('ZRANGEBYSCORE', sched, '(' .. bound, '+inf', 'WITHSCORES', 'LIMIT', 0, 100), sched, 'zset')
  end
  local fit = found ~= nil and (#found == 0 or qfits(q, TOUCHED))
  -- A job it sets aside releases its dependents, in other queues: their keys are checked before q's first write.
  if fit then
    for j = 1, #found, (bound == 'queue') and 1 or 2 do
      local id = found[j]
      if bound == 'queue' then id = string.sub(id, 16) end
      if not relfits(depsof(jk(q, id))) then fit = false; break end
    end
  end
  if not fit then
    bad[#bad + 1] = q
    bad[#bad + 1] = BADKEY
  elseif bound == 'queue' then
    for _, m in ipairs(found) do
      local id = string.sub(m, 16)
      local h = hash(jk(q, id))
      redis.call('ZREM', qk(q, 'ready'), m)
      if h.state == 'QUEUED' then
        bury(q, id, h, 'job breaks the stored-job contract: queue name ' .. q .. ' is not a valid name', now)
        moved = moved + 1
      end
    end
  else
    for j = 1, #found, 2 do
      local id = found[j]
      local h = hash(jk(q, id))
      if h.state == 'SCHEDULED' then
        bury(q, id, h, 'job breaks the stored-job contract: scheduled at ' .. found[j + 1] .. ' (epoch ms) is out of range', now)
        moved = moved + 1
      end
    end
  end
end
return {moved, bad}
