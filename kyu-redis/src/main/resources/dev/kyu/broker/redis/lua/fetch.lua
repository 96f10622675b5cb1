-- Leases up to `limit` jobs from the queues in order. ARGV: prefix, workerId, limit, leaseMs, nq, queues...
-- Returns {now, nextDueMs or -1, {queue, id, values, errors, queue, id, ...}, now in µs}: four entries per
-- leased job, its values the fields of FIELDS (no names; the first eleven are JobCodec.LEASED_FIELDS) as
-- stored before the lease, then the job's new fence. The caller applies what the lease changed (state RUNNING, attempt + 1, workerId,
-- startedAt = now in µs, leaseExpiresAt = now + leaseMs), so the script does not read the hash back. The
-- caller also decodes the values strictly and buries a job it cannot read (bury.lua), so a job that is
-- QUEUED with a numeric attempt is leased without further checks here. Due scheduled jobs are promoted on the
-- way, so a delayed job runs on time even when no maintenance sweep has run yet.
local now = nowms()
local worker, limit, lease, nq = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local started, expires = STAMP, s(now + lease)
local jobs = {}
local count = 0
local nextdue = -1
local NONE = {}
local FIELDS = {'task', 'args', 'priority', 'attempt', 'maxAttempts', 'enqueuedAt', 'scheduledAt', 'timeout',
  'backoff', 'meta', 'uniqueKey', 'uniqueScope', 'state', 'errs'}

-- A member whose job cannot be leased as it is: a foreign value, a missing key, or fields a lease cannot use.
local function odd(q, id, key, v)
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
    bury(q, id, h, why or ('field attempt is not a whole number: ' .. tostring(h.attempt)), now)
  end
end

for i = 1, nq do
  local q = ARGV[5 + i]
  if redis.call('EXISTS', qk(q, 'paused')) == 0 then
    local want = limit - count
    if want > 0 then
      promote(q, now, want)
      local ready = qk(q, 'ready')
      local members = redis.call('ZRANGE', ready, 0, want - 1)
      for c = 1, #members, 1000 do redis.call('ZREM', ready, unpack(members, c, math.min(#members, c + 999))) end
      local prefix = qk(q, 'job:')
      local run, queued = {}, {}
      for _, m in ipairs(members) do
        local id = string.sub(m, 16)
        local key = prefix .. id
        local v = redis.pcall('HMGET', key, 'task', 'args', 'priority', 'attempt', 'maxAttempts', 'enqueuedAt',
          'scheduledAt', 'timeout', 'backoff', 'meta', 'uniqueKey', 'uniqueScope', 'state', 'errs')
        -- A whole number of attempts, as the caller reads it back: '1.5' or ' 2' go the long way, to odd().
        local attempt = not v.err and v[13] == 'QUEUED' and v[1] and v[2] and v[4] and string.match(v[4], '^%d+$')
          and tonumber(v[4])
        if attempt then
          -- The stale ready member 'rk' may stay: it names this job only while it is QUEUED again.
          -- The lease's expiry lives in 'run' only (its score), so extending a lease is one ZADD.
          redis.call('HSET', key, 'state', 'RUNNING', 'attempt', attempt + 1, 'workerId', worker, 'startedAt', started)
          -- The fencing token: leases taken so far, never lowered; sent back after the fields as value 15.
          v[15] = redis.call('HINCRBY', key, 'fence', 1)
          run[#run + 1] = expires
          run[#run + 1] = id
          queued[#queued + 1] = id
          if v[11] then unique_release(q, id, {uniqueKey = v[11], uniqueScope = v[12]}, 'QUEUED') end
          local errs = NONE
          if v[14] then errs = errors(q, id) end
          jobs[count * 4 + 1] = q
          jobs[count * 4 + 2] = id
          jobs[count * 4 + 3] = v
          jobs[count * 4 + 4] = errs
          count = count + 1
        else
          odd(q, id, key, v)
        end
      end
      for c = 1, #run, 4000 do redis.call('ZADD', qk(q, 'run'), unpack(run, c, math.min(#run, c + 3999))) end
      for c = 1, #queued, 4000 do redis.call('ZREM', qk(q, 'st:QUEUED'), unpack(queued, c, math.min(#queued, c + 3999))) end
      -- Pass the baton: work is left, so make sure one more idle worker wakes up for it.
      if #members == want and redis.call('ZCARD', ready) > 0 and redis.call('LLEN', qk(q, 'wake')) == 0 then wake(q, 1) end
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
