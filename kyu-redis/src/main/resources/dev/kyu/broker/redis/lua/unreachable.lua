-- Quarantines SCHEDULED jobs due past the range any enqueue accepts (a score above ARGV[2], +inf included):
-- no promotion could ever reach them, so they would wait for ever. ARGV: prefix, bound (epoch ms), nq,
-- queues... Returns how many were moved to FAILED (kyu.CorruptJob), at most 100 per queue per call.
local now = nowms()
local bound, nq = ARGV[2], tonumber(ARGV[3])
local moved = 0
for i = 1, nq do
  local q = ARGV[3 + i]
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
return moved
