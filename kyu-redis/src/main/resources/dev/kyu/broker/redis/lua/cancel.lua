-- Cancels jobs. ARGV: prefix, n, then queue, id per job.
-- Returns per job 0 not found, 1 cancelled, 2 cancel requested (running), 3 already finished.
local now = nowms()
local n = tonumber(ARGV[2])
local out = {}
local TOUCHED = {'ready', 'sched', 'run', 'st:BLOCKED', 'st:SCHEDULED', 'st:QUEUED', 'st:CANCELLED', 'fin:CANCELLED', 'exp'}
for i = 0, n - 1 do
  local q = ARGV[3 + i * 2]
  qneed(q, TOUCHED)
  -- A waiting job it cancels releases its dependents, in other queues: their keys are checked first too.
  relneed(depsof(jk(q, ARGV[4 + i * 2])))
end
for i = 0, n - 1 do
  local q, id = ARGV[3 + i * 2], ARGV[4 + i * 2]
  local key = jk(q, id)
  local h = hash(key)
  if h.state == nil then
    out[#out + 1] = 0
  elseif TERMINAL[h.state] then
    out[#out + 1] = 3
  elseif h.state == 'RUNNING' then
    redis.call('HSET', key, 'cancelRequested', '1')
    out[#out + 1] = 2
  else
    detach(q, id, h)
    redis.call('HDEL', key, 'rk')
    pusherr(q, id, reason(tonumber(h.attempt) or 0, 'kyu.Cancelled', 'cancelled before it ran', now))
    finish(q, id, h, 'CANCELLED', now)
    out[#out + 1] = 1
  end
end
return out
