-- A queue's counts. ARGV: prefix, queue.
-- Returns {paused, SCHEDULED, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, oldestQueuedScheduledAt or -1}.
local q = ARGV[2]
local out = {redis.call('EXISTS', qk(q, 'paused'))}
for _, st in ipairs({'SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'}) do
  out[#out + 1] = redis.call('ZCARD', qk(q, 'st:' .. st))
end
-- The lowest id among QUEUED jobs is the oldest enqueued one (ids are time-ordered).
local oldest = redis.call('ZRANGE', qk(q, 'st:QUEUED'), 0, 0)
local at = -1
if oldest[1] then at = tonumber(redis.call('HGET', jk(q, oldest[1]), 'scheduledAt')) or -1 end
out[#out + 1] = at
return out
