-- Deletes terminal jobs past retention and old statistics.
-- ARGV: prefix, limit, succeededCutoffMs, failedCutoffMs, cancelledCutoffMs, statsCutoffMs, nq, queues...
-- Cutoffs are relative ages (ms) subtracted from the server's now. Jobs with a result ttl of their own are
-- filed by when it runs out ('exp', see lib.lua's finished) and judged by it alone.
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
jobqneed()
for i = 1, nq do
  local q = ARGV[7 + i]
  local usable = qfits(q, TOUCHED)
  if not usable then
    bad[#bad + 1] = q
    bad[#bad + 1] = BADKEY
  end
  if usable and #deleted < limit then
    local ids = redis.call('ZRANGEBYSCORE', qk(q, 'exp'), '-inf', '(' .. s(now), 'LIMIT', 0, limit - #deleted)
    for _, id in ipairs(ids) do
      local h = dropfields(jk(q, id))
      redis.call('ZREM', qk(q, 'exp'), id)
      if h.state == nil or TERMINAL[h.state] then
        drop(q, id, h)
        deleted[#deleted + 1] = id
      end
    end
  end
  for _, st in ipairs(usable and {'SUCCEEDED', 'FAILED', 'CANCELLED'} or {}) do
    if #deleted < limit and ages[st] >= 0 then
      local ids = redis.call('ZRANGEBYSCORE', qk(q, 'fin:' .. st), '-inf', now - ages[st], 'LIMIT', 0, limit - #deleted)
      for _, id in ipairs(ids) do
        local h = dropfields(jk(q, id))
        if h.state == nil or h.state == st then
          drop(q, id, {state = st, uniqueKey = h.uniqueKey, uniqueScope = h.uniqueScope, rk = h.rk})
          deleted[#deleted + 1] = id
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
