-- A queue's counts. ARGV: prefix, queue.
-- Returns {paused, BLOCKED, SCHEDULED, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, oldestQueuedScheduledAt or -1}.
local q = ARGV[2]
qneed(q, {'ready', 'run', 'st:BLOCKED', 'st:SCHEDULED', 'st:QUEUED', 'st:SUCCEEDED', 'st:FAILED', 'st:CANCELLED'})
local out = {redis.call('EXISTS', qk(q, 'paused'))}
for _, st in ipairs({'BLOCKED', 'SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'}) do
  if st == 'RUNNING' then
    out[#out + 1] = redis.call('ZCARD', qk(q, 'run'))
  else
    out[#out + 1] = redis.call('ZCARD', qk(q, 'st:' .. st))
  end
end
-- The oldest waiting job: ready members start with the due time, so the first member of each priority
-- (score) is that priority's oldest; walk the priorities, a bounded number of them.
local at = -1
local head = redis.call('ZRANGE', qk(q, 'ready'), 0, 0, 'WITHSCORES')
local groups = 0
while head[1] and groups < 1000 do
  local due = tonumber(string.sub(head[1], 1, 15))
  if due and (at < 0 or due < at) then at = due end
  groups = groups + 1
  head = redis.call('ZRANGEBYSCORE', qk(q, 'ready'), '(' .. head[2], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
end
out[#out + 1] = at
return out
