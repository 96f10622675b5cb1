-- Records attempt outcomes, fenced by lease. ARGV: prefix, n, then 7 fields per completion:
-- queue, id, workerId, attempt, kind (S succeeded, R retry, D dead, C cancelled, L released), payload, delayMs.
-- The queue is the lease's: the job is looked up under that queue's keys, which hold only that queue's jobs (the
-- job's queue is the one its keys name; the 'queue' field is a copy the engine never reads back), so a lease
-- naming another queue finds no job it holds and changes nothing.
-- Returns 1 (applied) or 0 (fenced out) per completion; 2 on a Cluster when it applied and left a release of
-- dependents for the relay (lib.lua, "Links").
local now = nowms()
local nowtext = s(now)
local n = tonumber(ARGV[2])
local out = {}
-- The fence and a success need only these; a retry or hand-back reads a few more.
local MORE = {'scheduledAt', 'priority', 'rk'}
-- The keys each kind of outcome writes besides the job's own.
local NEEDS = {S = {'run', 'st:SUCCEEDED', 'fin:SUCCEEDED', 'exp', 'stats'}, R = {'run', 'sched', 'st:SCHEDULED', 'stats'},
  D = {'run', 'st:FAILED', 'fin:FAILED', 'exp', 'stats'}, C = {'run', 'st:CANCELLED', 'fin:CANCELLED', 'exp'},
  L = {'run', 'ready', 'sched', 'st:QUEUED', 'st:SCHEDULED', 'wake'}}
-- The outcomes that end a job (and so release its dependents); a retry or hand-back does not.
local ENDS = {S = true, D = true, C = true}
-- Every fence read and every key checked before the first write, so the batch is applied whole or not at all.
local fenced = {}
for i = 0, n - 1 do
  local b = 2 + i * 7
  local q, id, worker, attempt, kind = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5]
  -- Only the fields the fence and the move need, not the whole hash (args and result may be large).
  local v = redis.pcall('HMGET', jk(q, id), 'state', 'workerId', 'attempt', 'uniqueKey', 'cancelRequested', 'resultTtl',
    'dependents', 'awaited')
  if not v.err and v[1] == 'RUNNING' and v[2] == worker and v[3] == attempt then
    fenced[i] = v
    qneed(q, NEEDS[kind] or NEEDS.L)
    -- An outcome that ends the job releases its dependents (other queues' keys): checked here too.
    if v[7] and ENDS[kind] then links().relneed(q, v[7]) end
  end
end
-- A job named twice in one call: the first outcome applied moves it out of RUNNING, so the fence refuses the second.
local applied = {}
for i = 0, n - 1 do
  local b = 2 + i * 7
  local q, id, worker, attempt = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local kind, payload, delay = ARGV[b + 5], ARGV[b + 6], tonumber(ARGV[b + 7])
  local key = jk(q, id)
  local v = fenced[i]
  if v and not applied[key] then
    applied[key] = true
    local h = {state = v[1], workerId = v[2], attempt = v[3]}
    if v[4] then
      h.uniqueKey = v[4]
      h.uniqueScope = redis.call('HGET', key, 'uniqueScope') or nil
    end
    if v[5] then h.cancelRequested = v[5] end
    if v[7] then h.dependents = v[7] end
    if v[8] then h.awaited = v[8] end
    if kind ~= 'S' then
      local m = redis.call('HMGET', key, unpack(MORE))
      for j, f in ipairs(MORE) do if m[j] then h[f] = m[j] end end
    end
    -- A RUNNING job is in 'run' only (its 'rk' is stale), so that is the one index to leave.
    later('ZREM', qkc(q, 'run'), id)
    if kind == 'S' then
      redis.call('HSET', key, 'state', 'SUCCEEDED', 'finishedAt', STAMP, 'result', payload)
      if h.cancelRequested then redis.call('HDEL', key, 'cancelRequested') end
      later('ZADD', qkc(q, 'st:SUCCEEDED'), '0', id)
      if v[6] then finished(q, id, 'SUCCEEDED', now, v[6])
      else later('ZADD', qkc(q, 'fin:SUCCEEDED'), nowtext, id) end
      if h.uniqueKey then unique_release(q, id, h, nil) end
      if h.dependents then links().ended(q, id, h.dependents, now) end
      if h.awaited then announce(id) end
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
      -- A hand-back keeps its place in line: at once without a delay; with one (a job a limit holds back until
      -- its slot), once it is due again, so it comes before the jobs that were behind it ('inline', read at its
      -- promotion), as the SQL engines' order by id does.
      local due = now + delay
      local place = math.min(tonumber(h.scheduledAt) or now, now)
      if delay <= 0 then due = place else redis.call('HSET', key, 'inline', s(place)) end
      requeue(q, id, h, due, now)
    end
    -- 2: applied, and on a Cluster a release of dependents was recorded for the relay.
    out[#out + 1] = (not GLOBAL and h.dependents and ENDS[kind]) and 2 or 1
  else
    out[#out + 1] = 0
  end
end
flush()
flushstats()
return out
