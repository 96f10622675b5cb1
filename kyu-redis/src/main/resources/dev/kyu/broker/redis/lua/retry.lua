-- Puts FAILED or CANCELLED jobs back to QUEUED by hand, attempts reset, errors kept.
-- ARGV: prefix, mode ('ids' or 'failed'), n, then queue, id per job (mode ids) or queues (mode failed).
local now = nowms()
local mode, n = ARGV[2], tonumber(ARGV[3])
local count = 0
local TOUCHED = {'ready', 'wake', 'st:QUEUED', 'st:FAILED', 'fin:FAILED', 'st:CANCELLED', 'fin:CANCELLED', 'exp'}
if mode == 'ids' then
  for i = 0, n - 1 do qneed(ARGV[4 + i * 2], TOUCHED) end
else
  for i = 1, n do qneed(ARGV[3 + i], TOUCHED) end
end
local function again(q, id)
  local key = jk(q, id)
  local h = hash(key)
  if h.state == 'FAILED' or h.state == 'CANCELLED' then
    redis.call('HSET', key, 'attempt', '0')
    redis.call('HDEL', key, 'finishedAt', 'startedAt', 'result')
    requeue(q, id, h, now, now)
    count = count + 1
  end
end
if mode == 'ids' then
  for i = 0, n - 1 do again(ARGV[4 + i * 2], ARGV[5 + i * 2]) end
else
  for i = 1, n do
    local q = ARGV[3 + i]
    for _, id in ipairs(redis.call('ZRANGE', qk(q, 'st:FAILED'), 0, -1)) do again(q, id) end
  end
end
return count
