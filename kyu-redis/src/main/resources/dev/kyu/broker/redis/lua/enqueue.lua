-- Stores a batch of jobs. ARGV: prefix, count, then 14 fields per job (see RedisArgs.enqueue).
-- Everything is validated by the caller first, so nothing here fails halfway through a batch.
local now = nowms()
local n = tonumber(ARGV[2])
local out = {}
local woken = {}
-- An id that already exists refuses the whole batch before anything is written.
for i = 0, n - 1 do
  local b = 2 + i * 14
  if redis.call('EXISTS', jk(ARGV[b + 3], ARGV[b + 1])) == 1 then return redis.error_reply('KYU_EXISTS ' .. ARGV[b + 1]) end
  if GLOBAL then
    local other = redis.call('HGET', P .. ':jobq', ARGV[b + 1])
    if other and redis.call('EXISTS', jk(other, ARGV[b + 1])) == 1 then return redis.error_reply('KYU_EXISTS ' .. ARGV[b + 1]) end
  end
end
for i = 0, n - 1 do
  local b = 2 + i * 14
  local id, task, q, args = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local prio, maxa, runat, delay = tonumber(ARGV[b + 5]), ARGV[b + 6], ARGV[b + 7], ARGV[b + 8]
  local ukey, uscope, uperiod = ARGV[b + 9], ARGV[b + 10], ARGV[b + 11]
  local timeout, backoff, meta = ARGV[b + 12], ARGV[b + 13], ARGV[b + 14]
  local key = jk(q, id)
  local dup = nil
  -- On a Cluster the caller has claimed the key already (claim.lua), in the key's own slot.
  if ukey ~= '' and GLOBAL then
    local existing = redis.call('GET', uk(q, ukey))
    -- A PERIOD key ('P:' before the id) holds for its whole TTL, even when its job is gone.
    if existing and string.sub(existing, 1, 2) == 'P:' then
      dup = string.sub(existing, 3)
    elseif existing then
      local hq = holderq(q, existing)
      local eh = {false, false}
      if hq then eh = redis.call('HMGET', jk(hq, existing), 'state', 'uniqueScope') end
      local st, sc = eh[1], eh[2]
      if sc == 'PERIOD' or (st and ((sc == 'QUEUED' and (st == 'QUEUED' or st == 'SCHEDULED'))
          or (sc ~= 'QUEUED' and STATES[st] and not TERMINAL[st]))) then
        dup = existing
      end
    end
  end
  if dup then
    out[#out + 1] = {dup, 0}
  else
    local due = now
    if runat ~= '' then due = tonumber(runat) elseif delay ~= '' then due = now + tonumber(delay) end
    redis.call('HSET', key, 'id', id, 'task', task, 'queue', q, 'args', args, 'priority', s(prio),
      'attempt', '0', 'maxAttempts', maxa, 'enqueuedAt', s(now), 'scheduledAt', s(due))
    if ukey ~= '' then
      redis.call('HSET', key, 'uniqueKey', ukey, 'uniqueScope', uscope)
    end
    if ukey ~= '' and GLOBAL then
      if uscope == 'PERIOD' then
        redis.call('SET', uk(q, ukey), 'P:' .. id, 'PX', uperiod)
      else
        redis.call('SET', uk(q, ukey), id)
      end
    end
    if timeout ~= '' then redis.call('HSET', key, 'timeout', timeout) end
    if backoff ~= '' then redis.call('HSET', key, 'backoff', backoff) end
    if meta ~= '' then redis.call('HSET', key, 'meta', meta) end
    redis.call('ZADD', qk(q, 'ids'), 0, id)
    if GLOBAL then redis.call('HSET', P .. ':jobq', id, q) end
    if due <= now then
      local rk = rkey(due, id)
      redis.call('HSET', key, 'rk', rk)
      redis.call('ZADD', qk(q, 'ready'), -prio, rk)
      setstate(q, id, nil, 'QUEUED', now)
      woken[q] = (woken[q] or 0) + 1
    else
      redis.call('ZADD', qk(q, 'sched'), due, id)
      setstate(q, id, nil, 'SCHEDULED', now)
    end
    out[#out + 1] = {id, 1}
  end
end
for q, c in pairs(woken) do wake(q, c) end
return out
