-- Deletes terminal jobs past retention and old statistics.
-- ARGV: prefix, limit, succeededCutoffMs, failedCutoffMs, cancelledCutoffMs, statsCutoffMs, nq, queues...
-- Cutoffs are relative ages (ms) subtracted from the server's now. Jobs with a result ttl of their own are
-- filed by when it runs out ('exp', see lib.lua's finished) and judged by it alone. A job whose 'retainWith'
-- job still exists is kept (a workflow's steps live as long as the workflow's own job): it stays in its
-- index and the walk steps past it, at most KEPT_SCAN of them per index and queue per call.
-- Returns {deleted ids, {queue, reason, ...}}: a queue with a key of another type is skipped, unwritten, and
-- named with the reason (a bad id index refuses the whole call).
local now = nowms()
local limit = tonumber(ARGV[2])
local ages = {SUCCEEDED = tonumber(ARGV[3]), FAILED = tonumber(ARGV[4]), CANCELLED = tonumber(ARGV[5])}
local statsCut = now - tonumber(ARGV[6])
local nq = tonumber(ARGV[7])
local deleted = {}
local bad = {}
local TOUCHED = {'st:SUCCEEDED', 'st:FAILED', 'st:CANCELLED', 'fin:SUCCEEDED', 'fin:FAILED', 'fin:CANCELLED', 'exp', 'stats'}
local KEPT_SCAN = 10000
jobqneed()
-- Whether each job named by a 'retainWith' exists, asked once per call (a workflow's steps share one).
local ALIVE = {}
local function kept(q, id, with)
  if with == nil or with == '' or with == id then return false end
  local alive = ALIVE[with]
  if alive == nil then
    local wq = q
    if GLOBAL then wq = redis.call('HGET', JOBQ, with) end
    alive = type(wq) == 'string' and redis.call('EXISTS', jk(wq, with)) == 1
    ALIVE[with] = alive
  end
  return alive
end
-- Deletes the job unless it is kept; a job whose dependents' keys do not fit is left, the queue reported.
local function gone(q, id, h)
  if kept(q, id, h.retainWith) then return false end
  if not relfits(h.dependents) then
    bad[#bad + 1] = q
    bad[#bad + 1] = BADKEY
    return false
  end
  drop(q, id, h, now)
  deleted[#deleted + 1] = id
  return true
end
for i = 1, nq do
  local q = ARGV[7 + i]
  local usable = qfits(q, TOUCHED)
  if not usable then
    bad[#bad + 1] = q
    bad[#bad + 1] = BADKEY
  end
  if usable then
    local skip = 0
    while #deleted < limit and skip < KEPT_SCAN do
      local ids = redis.call('ZRANGEBYSCORE', qk(q, 'exp'), '-inf', '(' .. s(now), 'LIMIT', skip, limit - #deleted)
      if #ids == 0 then break end
      for _, id in ipairs(ids) do
        local h = dropfields(jk(q, id))
        if h.state == nil or TERMINAL[h.state] then
          if gone(q, id, h) then redis.call('ZREM', qk(q, 'exp'), id) else skip = skip + 1 end
        else
          redis.call('ZREM', qk(q, 'exp'), id)
        end
      end
    end
  end
  for _, st in ipairs(usable and {'SUCCEEDED', 'FAILED', 'CANCELLED'} or {}) do
    local skip = 0
    while #deleted < limit and ages[st] >= 0 and skip < KEPT_SCAN do
      local ids = redis.call('ZRANGEBYSCORE', qk(q, 'fin:' .. st), '-inf', now - ages[st], 'LIMIT', skip, limit - #deleted)
      if #ids == 0 then break end
      for _, id in ipairs(ids) do
        local h = dropfields(jk(q, id))
        if h.state == nil or h.state == st then
          h.state = st
          if not gone(q, id, h) then skip = skip + 1 end
        else
          redis.call('ZREM', qk(q, 'fin:' .. st), id)
        end
      end
    end
  end
  if usable and tonumber(ARGV[6]) >= 0 then
    local fields = redis.call('HKEYS', qk(q, 'stats'))
    for _, f in ipairs(fields) do
      local minute = tonumber(string.match(f, '^(%d+):'))
      if minute == nil or minute < statsCut then redis.call('HDEL', qk(q, 'stats'), f) end
    end
  end
end
return {deleted, bad}
