-- Deletes terminal jobs past retention and old statistics.
-- ARGV: prefix, limit, succeededCutoffMs, failedCutoffMs, cancelledCutoffMs, statsCutoffMs, nq, queues...
-- Cutoffs are relative ages (ms) subtracted from the server's now. Jobs with a result ttl of their own are
-- filed by when it runs out ('exp', see lib.lua's finished) and judged by it alone. Returns the deleted ids.
local now = nowms()
local limit = tonumber(ARGV[2])
local ages = {SUCCEEDED = tonumber(ARGV[3]), FAILED = tonumber(ARGV[4]), CANCELLED = tonumber(ARGV[5])}
local statsCut = now - tonumber(ARGV[6])
local nq = tonumber(ARGV[7])
local deleted = {}
for i = 1, nq do
  local q = ARGV[7 + i]
  if #deleted < limit then
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
  for _, st in ipairs({'SUCCEEDED', 'FAILED', 'CANCELLED'}) do
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
  if tonumber(ARGV[6]) >= 0 then
    local fields = redis.call('HKEYS', qk(q, 'stats'))
    for _, f in ipairs(fields) do
      local minute = tonumber(string.match(f, '^(%d+):'))
      if minute == nil or minute < statsCut then redis.call('HDEL', qk(q, 'stats'), f) end
    end
  end
end
return deleted
