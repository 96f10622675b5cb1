-- Rescues RUNNING jobs whose lease expired. ARGV: prefix, limit, nq, queues...
-- Returns {requeued ids, failed ids, cancelled ids}.
local now = nowms()
local limit, nq = tonumber(ARGV[2]), tonumber(ARGV[3])
local requeued, failed, cancelled = {}, {}, {}
local done = 0
for i = 1, nq do
  local q = ARGV[3 + i]
  if done < limit then
    local ids = redis.call('ZRANGEBYSCORE', qk(q, 'run'), '-inf', now, 'LIMIT', 0, limit - done)
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
return {requeued, failed, cancelled}
