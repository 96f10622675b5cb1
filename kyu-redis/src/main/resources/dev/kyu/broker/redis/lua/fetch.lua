-- Leases up to `limit` jobs from the queues in order. ARGV: prefix, workerId, limit, leaseMs, nq, queues...
-- Returns {now, nextDueMs or -1, {{queue, id, {hash, errors}}, ...}}. Due scheduled jobs are promoted on the way, so a
-- delayed job runs on time even when no maintenance sweep has run yet.
local now = nowms()
local worker, limit, lease, nq = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local jobs = {}
local nextdue = -1
for i = 1, nq do
  local q = ARGV[5 + i]
  if redis.call('EXISTS', qk(q, 'paused')) == 0 then
    local want = limit - #jobs
    if want > 0 then
      promote(q, now, want)
      local members = redis.call('ZRANGE', qk(q, 'ready'), 0, want - 1)
      for _, m in ipairs(members) do
        redis.call('ZREM', qk(q, 'ready'), m)
        local id = string.sub(m, 16)
        local key = jk(q, id)
        local kind = redis.call('TYPE', key)['ok']
        if kind ~= 'none' and kind ~= 'hash' then
          -- Not a job at all: set the foreign value aside under a key of its own and record why.
          redis.call('RENAME', key, qk(q, 'garbage:' .. id))
          redis.call('HSET', key, 'id', id, 'queue', q, 'state', 'QUEUED')
          bury(q, id, {state = 'QUEUED'}, 'the job key held a ' .. kind .. ', not a hash; kept as ' .. qk(q, 'garbage:' .. id), now)
        elseif kind == 'hash' then
          local h = hash(key)
          local why = corrupt(h)
          if why == nil and h.state ~= 'QUEUED' then why = 'in the ready set while ' .. h.state end
          if why then
            bury(q, id, h, why, now)
          else
            redis.call('HINCRBY', key, 'attempt', 1)
            redis.call('HSET', key, 'workerId', worker, 'startedAt', s(now), 'leaseExpiresAt', s(now + lease))
            redis.call('HDEL', key, 'rk', 'cancelRequested')
            redis.call('ZADD', qk(q, 'run'), now + lease, id)
            setstate(q, id, 'QUEUED', 'RUNNING', now)
            unique_release(q, id, h, 'QUEUED')
            jobs[#jobs + 1] = {q, id, dump(q, id)}
          end
        end
      end
      -- Pass the baton: work is left, so make sure one more idle worker wakes up for it.
      if redis.call('ZCARD', qk(q, 'ready')) > 0 and redis.call('LLEN', qk(q, 'wake')) == 0 then wake(q, 1) end
    end
    local first = redis.call('ZRANGE', qk(q, 'sched'), 0, 0, 'WITHSCORES')
    if first[2] then
      local d = tonumber(first[2])
      if nextdue < 0 or d < nextdue then nextdue = d end
    end
  end
end
return {now, nextdue, jobs}
