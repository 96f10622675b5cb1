-- Rescues RUNNING jobs whose lease expired. ARGV: prefix, limit, nq, queues...
-- Returns {requeued ids, failed ids, cancelled ids, {queue, reason, ...}}: a queue with a key of another
-- type is skipped, unwritten, and named with the reason.
local now = nowms()
local limit, nq = tonumber(ARGV[2]), tonumber(ARGV[3])
local requeued, failed, cancelled = {}, {}, {}
local done = 0
local bad = {}
-- A rescue ends a job in any of these (stats included); all checked before the queue's first write.
local TOUCHED = {'ready', 'wake', 'st:QUEUED', 'st:FAILED', 'fin:FAILED', 'st:CANCELLED', 'fin:CANCELLED', 'exp', 'stats'}
for i = 1, nq do
  local q = ARGV[3 + i]
  if done < limit then
    local run = qkc(q, 'run')
    local ids = met(redis.pcall('ZRANGEBYSCORE', run, '-inf', now, 'LIMIT', 0, limit - done), run, 'zset')
    if ids and #ids > 0 and not qfits(q, TOUCHED) then ids = nil end
    -- A job it ends releases its dependents, in other queues: their keys are checked before q's first write.
    if ids then
      for _, id in ipairs(ids) do
        if not relfits(depsof(jk(q, id))) then ids = nil; break end
      end
    end
    if ids == nil then
      bad[#bad + 1] = q
      bad[#bad + 1] = BADKEY
      ids = {}
    end
    for _, id in ipairs(ids) do
      done = done + 1
      local key = jk(q, id)
      local h = hash(key)
      redis.call('ZREM', qk(q, 'run'), id)
      if h.state == 'RUNNING' then
        local attempt = tonumber(h.attempt) or 0
        local msg = 'worker ' .. tostring(h.workerId) .. ' lost its lease on attempt ' .. attempt
        if h.cancelRequested == '1' then
          pusherr(q, id, reason(attempt, 'kyu.Cancelled', msg .. ' after cancel was requested', now))
          finish(q, id, h, 'CANCELLED', now)
          cancelled[#cancelled + 1] = id
        elseif attempt >= (tonumber(h.maxAttempts) or 1) then
          pusherr(q, id, reason(attempt, 'kyu.WorkerLost', msg .. '; no attempts left', now))
          finish(q, id, h, 'FAILED', now)
          stat(q, now, 'f')
          failed[#failed + 1] = id
        else
          pusherr(q, id, reason(attempt, 'kyu.WorkerLost', msg, now))
          requeue(q, id, h, math.min(tonumber(h.scheduledAt) or now, now), now)
          stat(q, now, 'r')
          requeued[#requeued + 1] = id
        end
      end
    end
  end
end
flushstats()
return {requeued, failed, cancelled, bad}
