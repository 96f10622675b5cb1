-- Leases up to `limit` jobs from the queues in order. ARGV: prefix, workerId, limit, leaseMs, nq, queues...
-- Returns {now, nextDueMs or -1, {{queue, id, values, errors}, ...}, now in µs}: the values of FIELDS (no names; the
-- first eleven are JobCodec.LEASED_FIELDS) as stored before the lease. The caller applies what the lease
-- changed (state RUNNING, attempt + 1, workerId, startedAt = now in µs, leaseExpiresAt = now + leaseMs), so the
-- script does not read the hash back. Due scheduled jobs are promoted on the way, so a delayed job runs
-- on time even when no maintenance sweep has run yet.
local now = nowms()
local worker, limit, lease, nq = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local started, expires = STAMP, s(now + lease)
local jobs = {}
local nextdue = -1
local FIELDS = {'task', 'args', 'priority', 'attempt', 'maxAttempts', 'enqueuedAt', 'scheduledAt', 'timeout',
  'backoff', 'meta', 'uniqueKey', 'uniqueScope', 'state', 'errs'}
for i = 1, nq do
  local q = ARGV[5 + i]
  if redis.call('EXISTS', qk(q, 'paused')) == 0 then
    local want = limit - #jobs
    if want > 0 then
      promote(q, now, want)
      local members = redis.call('ZRANGE', qk(q, 'ready'), 0, want - 1)
      for c = 1, #members, 1000 do redis.call('ZREM', qk(q, 'ready'), unpack(members, c, math.min(#members, c + 999))) end
      for _, m in ipairs(members) do
        local id = string.sub(m, 16)
        local key = jk(q, id)
        local v = redis.pcall('HMGET', key, unpack(FIELDS))
        if v.err then
          -- Not a job at all: set the foreign value aside under a key of its own and record why.
          local kind = redis.call('TYPE', key)['ok']
          redis.call('RENAME', key, qk(q, 'garbage:' .. id))
          redis.call('HSET', key, 'id', id, 'queue', q, 'state', 'QUEUED')
          bury(q, id, {state = 'QUEUED'}, 'the job key held a ' .. kind .. ', not a hash; kept as ' .. qk(q, 'garbage:' .. id), now)
        elseif v[13] or v[1] or redis.call('EXISTS', key) == 1 then
          local h = {}
          for j, f in ipairs(FIELDS) do if v[j] then h[f] = v[j] end end
          local why = corrupt(h)
          if why == nil and h.state ~= 'QUEUED' then why = 'in the ready set while ' .. h.state end
          if why then
            bury(q, id, h, why, now)
          else
            -- The stale ready member 'rk' may stay: it names this job only while it is QUEUED again.
            -- The lease's expiry lives in 'run' only (its score), so extending a lease is one ZADD.
            redis.call('HSET', key, 'state', 'RUNNING', 'attempt', s(tonumber(h.attempt) + 1),
              'workerId', worker, 'startedAt', started)
            later('ZADD', qkc(q, 'run'), expires, id)
            later('ZREM', qkc(q, 'st:QUEUED'), id)
            if h.uniqueKey then unique_release(q, id, h, 'QUEUED') end
            local errs = {}
            if h.errs then errs = errors(q, id) end
            jobs[#jobs + 1] = {q, id, v, errs}
          end
        end
      end
      -- Pass the baton: work is left, so make sure one more idle worker wakes up for it.
      if #members == want and redis.call('ZCARD', qk(q, 'ready')) > 0 and redis.call('LLEN', qk(q, 'wake')) == 0 then wake(q, 1) end
    end
    local first = redis.call('ZRANGE', qk(q, 'sched'), 0, 0, 'WITHSCORES')
    if first[2] then
      local d = tonumber(first[2])
      if nextdue < 0 or d < nextdue then nextdue = d end
    end
  end
end
flush()
return {now, nextdue, jobs, STAMP}
