-- Leases up to `limit` jobs from the queues in order. ARGV: prefix, workerId, limit, leaseMs, nq, queues...
-- Returns {now, nextDueMs or -1, {queue, id, values, errors, queue, id, ...}, now in µs, {queue, reason, ...}}:
-- four entries per leased job, its values the fields of FIELDS (no names; the first eleven are RedisJobCodec.LEASED_FIELDS) as
-- stored before the lease, then the job's new fence as value 15. The caller applies what the lease changed (state RUNNING, attempt + 1, workerId,
-- startedAt = now in µs, leaseExpiresAt = now + leaseMs), so the script does not read the hash back. The
-- caller also decodes the values strictly and buries a job it cannot read (bury.lua), so a job that is
-- QUEUED with a numeric attempt is leased without further checks here. Due scheduled jobs are promoted on the
-- way, so a delayed job runs on time even when no maintenance sweep has run yet.
-- A queue with a key of another type (foreign data) is skipped whole, before anything of it is written, and
-- named in the last entry with the reason: the other queues of the call are served as usual.
local now = nowms()
local worker, limit, lease, nq = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local started, expires = STAMP, s(now + lease)
local jobs = {}
local count = 0
local nextdue = -1
local NONE = {}
local FIELDS = {'task', 'args', 'priority', 'attempt', 'maxAttempts', 'enqueuedAt', 'scheduledAt', 'timeout',
  'backoff', 'meta', 'uniqueKey', 'uniqueScope', 'state', 'errs', 'fence'}

-- A count a lease can raise: a whole number small enough for a double to hold exactly (a field written
-- behind Kyu's back may hold anything, and HINCRBY on it would fail after earlier writes).
local function whole(text, digits) return type(text) == 'string' and #text <= digits and string.match(text, '^%d+$') ~= nil end
-- Whether the fields read for a lease can be leased as they are (HMGET gives a missing field as false).
local function leasable(v)
  return not v.err and v[13] == 'QUEUED' and v[1] and v[2] and whole(v[4], 9) and (not v[15] or whole(v[15], 15))
end

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
    if why == nil and h.fence ~= nil and not whole(h.fence, 15) then why = 'field fence is not a whole number: ' .. string.sub(h.fence, 1, 40) end
    bury(q, id, h, why or ('field attempt is not a whole number of at most 9 digits: ' .. string.sub(tostring(h.attempt), 1, 40)), now)
  end
end

-- Promotes and leases from queue q; false (reason in BADKEY) when a key it needs does not fit, in which case
-- nothing of q was written.
local function take(q)
  local want = limit - count
  if want > 0 then
    -- When jobs are due, every key the rest may need is checked before promotion writes anything.
    if promote(q, now, want, ALLKEYS) == nil then return false end
    local ready = qkc(q, 'ready')
    local members = met(redis.pcall('ZRANGE', ready, 0, want - 1), ready, 'zset')
    if members == nil then return false end
    if #members == 0 then return true end
    local prefix = qk(q, 'job:')
    -- Every member read before anything is written, so the keys its path needs are known and checked first.
    local ids, vals, seen, odd_ = {}, {}, {}, false
    for j, m in ipairs(members) do
      local id = string.sub(m, 16)
      ids[j] = id
      if not seen[id] then
        seen[id] = true
        local v = redis.pcall('HMGET', prefix .. id, 'task', 'args', 'priority', 'attempt', 'maxAttempts', 'enqueuedAt',
          'scheduledAt', 'timeout', 'backoff', 'meta', 'uniqueKey', 'uniqueScope', 'state', 'errs', 'fence')
        vals[j] = v
        -- A whole number of attempts, as the caller reads it back: '1.5' or ' 2' go the long way, to odd().
        if not leasable(v) then odd_ = true end
      end
    end
    if not qfits(q, {'run', 'st:QUEUED', 'wake'}) then return false end
    -- Setting a job aside moves it from whatever state its hash claims.
    if odd_ and not qfits(q, ALLKEYS) then return false end
    -- A job set aside ends FAILED and releases its dependents: their queues' keys are checked first too.
    if odd_ then
      for j, id in ipairs(ids) do
        local v = vals[j]
        local deps = v and not v.err and not leasable(v) and depsof(prefix .. id)
        if deps and not links().relfits(q, deps) then return false end
      end
    end
    for c = 1, #members, 1000 do redis.call('ZREM', ready, unpack(members, c, math.min(#members, c + 999))) end
    local run, queued = {}, {}
    for j, id in ipairs(ids) do
      local v = vals[j]
      -- nil: a second member naming a job already met in this call (a stale 'rk' left by hand); dropped.
      if v then
        local key = prefix .. id
        local attempt = leasable(v) and tonumber(v[4])
        if attempt then
          -- The stale ready member 'rk' may stay: it names this job only while it is QUEUED again.
          -- The lease's expiry lives in 'run' only (its score), so extending a lease is one ZADD.
          redis.call('HSET', key, 'state', 'RUNNING', 'attempt', attempt + 1, 'workerId', worker, 'startedAt', started)
          -- The fencing token: leases taken so far, never lowered; sent back after the fields as value 15.
          v[15] = (tonumber(v[15]) or 0) + 1
          redis.call('HSET', key, 'fence', s(v[15]))
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
    end
    for c = 1, #run, 4000 do redis.call('ZADD', qk(q, 'run'), unpack(run, c, math.min(#run, c + 3999))) end
    for c = 1, #queued, 4000 do redis.call('ZREM', qk(q, 'st:QUEUED'), unpack(queued, c, math.min(#queued, c + 3999))) end
    -- Pass the baton: work is left, so make sure one more idle worker wakes up for it.
    if #members == want and redis.call('ZCARD', ready) > 0 and redis.call('LLEN', qk(q, 'wake')) == 0 then wake(q, 1) end
  end
  return true
end

local bad = {}
for i = 1, nq do
  local q = ARGV[5 + i]
  if redis.call('EXISTS', qk(q, 'paused')) == 0 then
    local sched = qkc(q, 'sched')
    local first = take(q) and met(redis.pcall('ZRANGE', sched, 0, 0, 'WITHSCORES'), sched, 'zset')
    if first then
      if first[2] then
        local d = tonumber(first[2])
        if nextdue < 0 or d < nextdue then nextdue = d end
      end
    else
      bad[#bad + 1] = q
      bad[#bad + 1] = BADKEY
    end
  end
end
flush()
return {now, nextdue, jobs, STAMP, bad}
