-- A queue's counts. ARGV: prefix, queue.
-- Returns {paused, SCHEDULED, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, oldestQueuedScheduledAt or -1}.
local q = ARGV[2]
local out = {redis.call('EXISTS', qk(q, 'paused'))}
for _, st in ipairs({'SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'}) do
  out[#out + 1] = redis.call('ZCARD', qk(q, 'st:' .. st))
end
local oldest = redis.call('ZRANGE', qk(q, 'qat'), 0, 0, 'WITHSCORES')
local at = -1
if oldest[2] then at = tonumber(oldest[2]) end
out[#out + 1] = at
return out
