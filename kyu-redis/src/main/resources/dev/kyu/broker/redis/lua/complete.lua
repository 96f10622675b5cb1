-- Records attempt outcomes, fenced by lease. ARGV: prefix, n, then 7 fields per completion:
-- queue, id, workerId, attempt, kind (S succeeded, R retry, D dead, C cancelled, L released), payload, delayMs.
-- Returns 1 (applied) or 0 (fenced out) per completion.
local now = nowms()
local n = tonumber(ARGV[2])
local out = {}
for i = 0, n - 1 do
  local b = 2 + i * 7
  local q, id, worker, attempt = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local kind, payload, delay = ARGV[b + 5], ARGV[b + 6], tonumber(ARGV[b + 7])
  local key = jk(q, id)
  local h = hash(key)
  if h.state == 'RUNNING' and h.workerId == worker and h.attempt == attempt then
    detach(q, id, h)
    if kind == 'S' then
      redis.call('HSET', key, 'result', payload)
      finish(q, id, h, 'SUCCEEDED', now)
      stat(q, now, 's')
    elseif kind == 'R' then
      pusherr(q, id, payload)
      requeue(q, id, h, now + delay, now, true)
      stat(q, now, 'r')
    elseif kind == 'D' then
      pusherr(q, id, payload)
      finish(q, id, h, 'FAILED', now)
      stat(q, now, 'f')
    elseif kind == 'C' then
      pusherr(q, id, payload)
      finish(q, id, h, 'CANCELLED', now)
    else
      redis.call('HSET', key, 'attempt', s(math.max(0, (tonumber(h.attempt) or 1) - 1)))
      -- A hand-back without delay keeps its place in line.
      local due = now + delay
      if delay <= 0 then due = math.min(tonumber(h.scheduledAt) or now, now) end
      requeue(q, id, h, due, now)
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
