-- Quarantines jobs no fetch could ever reach, so they would wait for ever; each goes to FAILED
-- (kyu.CorruptJob) with the reason. ARGV: prefix, bound, nq, queues... With a bound in epoch ms: the
-- SCHEDULED jobs due past it (a score above it, +inf included). With the bound 'queue': the queues' QUEUED
-- jobs, their names being ones no worker can ask for. At most 100 per queue per call; returns how many.
local now = nowms()
local bound, nq = ARGV[2], tonumber(ARGV[3])
local moved = 0
for i = 1, nq do
  local q = ARGV[3 + i]
  if bound == 'queue' then
    local ready = redis.call('ZRANGE', qk(q, 'ready'), 0, 99)
    for _, m in ipairs(ready) do
      local id = string.sub(m, 16)
      local h = hash(jk(q, id))
      redis.call('ZREM', qk(q, 'ready'), m)
      if h.state == 'QUEUED' then
        bury(q, id, h, 'job breaks the stored-job contract: queue name ' .. q .. ' is not a valid name', now)
        moved = moved + 1
      end
    end
  else
    local far = redis.call('ZRANGEBYSCORE', qk(q, 'sched'), '(' .. bound, '+inf', 'WITHSCORES', 'LIMIT', 0, 100)
    for j = 1, #far, 2 do
      local id = far[j]
      local h = hash(jk(q, id))
      if h.state == 'SCHEDULED' then
        bury(q, id, h, 'job breaks the stored-job contract: scheduled at ' .. far[j + 1] .. ' (epoch ms) is out of range', now)
        moved = moved + 1
      end
    end
  end
end
return moved
