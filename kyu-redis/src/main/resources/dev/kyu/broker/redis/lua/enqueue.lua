-- Stores a batch of jobs. ARGV: prefix, count, then 18 fields per job (see RedisEnqueuer.enqueueArgs): the
-- last three are the job's links, waitsFor ('' or a count), dependents ('' or a JSON array of ids) and
-- retainWith ('' or an id). A job that waits for others is stored BLOCKED, in 'st:BLOCKED' only.
-- Everything is validated by the caller first, and every key the batch writes is checked before the first
-- write, so nothing here fails halfway through a batch.
-- Answers one value per job: 1 when stored, else the id of the job holding its unique key.
-- Optional, after the jobs (a Cluster batch over several queues, docs/brokers/redis.md "Batches on a
-- Cluster"): a mode, then a record field and value. 'check' checks every key and id and writes nothing;
-- 'apply' stores the jobs not stored yet (a job key already holding a job is left as it is, answered 1);
-- with a record field, the record (the whole batch) is written to the queue's 'pending' hash with the jobs.
local STRIDE = 18
local now = nowms()
local n = tonumber(ARGV[2])
local MODE_ARG = ARGV[3 + n * STRIDE] or ''
local RECFIELD, RECVALUE = ARGV[4 + n * STRIDE] or '', ARGV[5 + n * STRIDE]
local skip = {}
local out = {}
local woken = {}
-- An id that already exists refuses the whole batch before anything is written.
local known = {}
if GLOBAL then
  local ids = {}
  for i = 0, n - 1 do ids[i + 1] = ARGV[2 + i * STRIDE + 1] end
  for c = 1, n, 1000 do
    local part = met(redis.pcall('HMGET', JOBQ, unpack(ids, c, math.min(n, c + 999))), JOBQ, 'hash')
    if part == nil then refuse() end
    for j = 1, #part do known[c + j - 1] = part[j] end
  end
end
local jobkeys = {}
for i = 0, n - 1 do
  local b = 2 + i * STRIDE
  local id, q, ukey = ARGV[b + 1], ARGV[b + 3], ARGV[b + 9]
  jobkeys[i + 1] = jk(q, id)
  local other = known[i + 1]
  if other and other ~= q and redis.call('EXISTS', jk(other, id)) == 1 then return redis.error_reply('KYU_EXISTS ' .. id) end
  qneed(q, {'ready', 'sched', 'st:QUEUED', 'st:SCHEDULED', 'wake'})
  if ARGV[b + 16] ~= '' then qneed(q, {'st:BLOCKED'}) end
  if ukey ~= '' and GLOBAL then need({uk(q, ukey), 'string'}) end
  if RECFIELD ~= '' then qneed(q, {'pending'}) end
end
if GLOBAL then need({P .. ':queues', 'set'}) end
-- The job keys, counted a thousand at a time (one call each): a key in use is an id taken, or foreign data.
for c = 1, n, 1000 do
  local last = math.min(n, c + 999)
  if redis.call('EXISTS', unpack(jobkeys, c, last)) > 0 then
    for i = c, last do
      if redis.call('EXISTS', jobkeys[i]) == 1 then
        if not fits(jobkeys[i], 'hash') then refuse() end
        if MODE_ARG ~= 'apply' then return redis.error_reply('KYU_EXISTS ' .. ARGV[2 + (i - 1) * STRIDE + 1]) end
        skip[i] = true
      end
    end
  end
end
if MODE_ARG == 'check' then return {} end
if RECFIELD ~= '' then redis.call('HSET', qk(ARGV[2 + 3], 'pending'), RECFIELD, RECVALUE) end
-- Per call, not per job: the text of now for due times and ready members (a number turned into text
-- per job is a string built, hashed and collected each time; so is a key name, hence qkc).
local nowtext, nowpad = s(now), string.format('%015d', now)
local NEG = {}
local function negated(prio)
  local v = NEG[prio]
  if v == nil then
    v = s(-tonumber(prio))
    NEG[prio] = v
  end
  return v
end
-- Queues of the jobs this batch stored, for unique-key holders stored earlier in the same batch
-- (the id index itself is written at the end).
local stored = {}
local F = {'id', '', 'task', '', 'queue', '', 'args', '', 'priority', '', 'attempt', '0', 'maxAttempts', '',
  'enqueuedAt', '', 'scheduledAt', ''}
for i = 0, n - 1 do
  local b = 2 + i * STRIDE
  local id, task, q, args = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local prio, maxa, runat, delay = ARGV[b + 5], ARGV[b + 6], ARGV[b + 7], ARGV[b + 8]
  local ukey, uscope, uperiod = ARGV[b + 9], ARGV[b + 10], ARGV[b + 11]
  local timeout, backoff, meta, ttl = ARGV[b + 12], ARGV[b + 13], ARGV[b + 14], ARGV[b + 15]
  local waits, deps, with = ARGV[b + 16], ARGV[b + 17], ARGV[b + 18]
  local key = jobkeys[i + 1]
  local dup = nil
  -- On a Cluster the caller has claimed the key already (claim.lua), in the key's own slot.
  if ukey ~= '' and GLOBAL then
    local existing = redis.call('GET', uk(q, ukey))
    -- A PERIOD key ('P:' before the id) holds for its whole TTL, even when its job is gone.
    if existing and string.sub(existing, 1, 2) == 'P:' then
      dup = string.sub(existing, 3)
    elseif existing then
      local hq = stored[existing] or holderq(q, existing)
      local eh = {false, false}
      -- A holder key of another type (foreign data) is no live job.
      if hq then
        eh = redis.pcall('HMGET', jk(hq, existing), 'state', 'uniqueScope')
        if eh.err then eh = {false, false} end
      end
      local st, sc = eh[1], eh[2]
      if sc == 'PERIOD' or (st and ((sc == 'QUEUED' and (st == 'QUEUED' or st == 'SCHEDULED'))
          or (sc ~= 'QUEUED' and STATES[st] and not TERMINAL[st]))) then
        dup = existing
      end
    end
  end
  if skip[i + 1] then
    out[#out + 1] = 1
  elseif dup then
    out[#out + 1] = dup
  else
    local due, duetext, rk = now, nowtext, nil
    local blocked = waits ~= ''
    -- A blocked job's due time does not apply: it is QUEUED at the engine's now once released.
    if blocked then due = now
    elseif runat ~= '' then due = tonumber(runat) elseif delay ~= '' then due = now + tonumber(delay) end
    local ready = due <= now and not blocked
    if due ~= now then duetext = s(due) end
    if ready then
      if due == now then rk = nowpad .. id else rk = rkey(due, id) end
    end
    -- The priority is stored as sent (the caller sends a canonical integer). One table of fields serves
    -- every job of the call, refilled in place (a table per job is memory made and collected per job).
    local f = F
    f[2], f[4], f[6], f[8], f[10], f[14], f[16], f[18] = id, task, q, args, prio, maxa, STAMP, duetext
    local nf = 22
    if ready then f[19], f[20], f[21], f[22] = 'state', 'QUEUED', 'rk', rk
    elseif blocked then f[19], f[20], nf = 'state', 'BLOCKED', 20
    else f[19], f[20], nf = 'state', 'SCHEDULED', 20 end
    if ukey ~= '' then f[nf + 1], f[nf + 2], f[nf + 3], f[nf + 4], nf = 'uniqueKey', ukey, 'uniqueScope', uscope, nf + 4 end
    if timeout ~= '' then f[nf + 1], f[nf + 2], nf = 'timeout', timeout, nf + 2 end
    if backoff ~= '' then f[nf + 1], f[nf + 2], nf = 'backoff', backoff, nf + 2 end
    if meta ~= '' then f[nf + 1], f[nf + 2], nf = 'meta', meta, nf + 2 end
    if ttl ~= '' then f[nf + 1], f[nf + 2], nf = 'resultTtl', ttl, nf + 2 end
    if blocked then f[nf + 1], f[nf + 2], nf = 'waitsFor', waits, nf + 2 end
    if deps ~= '' then f[nf + 1], f[nf + 2], nf = 'dependents', deps, nf + 2 end
    if with ~= '' then f[nf + 1], f[nf + 2], nf = 'retainWith', with, nf + 2 end
    redis.call('HSET', key, unpack(f, 1, nf))
    if ukey ~= '' and GLOBAL then
      if uscope == 'PERIOD' then
        redis.call('SET', uk(q, ukey), 'P:' .. id, 'PX', uperiod)
      else
        redis.call('SET', uk(q, ukey), id)
      end
    end
    stored[id] = q
    if GLOBAL then later('HSET', JOBQ, id, q) end
    if ready then
      later('ZADD', qkc(q, 'ready'), negated(prio), rk)
      later('ZADD', qkc(q, 'st:QUEUED'), '0', id)
      woken[q] = (woken[q] or 0) + 1
    elseif blocked then
      later('ZADD', qkc(q, 'st:BLOCKED'), '0', id)
    else
      later('ZADD', qkc(q, 'sched'), duetext, id)
      later('ZADD', qkc(q, 'st:SCHEDULED'), '0', id)
    end
    out[#out + 1] = 1
  end
end
flush()
for q, c in pairs(woken) do wake(q, c) end
if GLOBAL then
  local names, seen = {}, {}
  for i = 0, n - 1 do
    local q = ARGV[2 + i * STRIDE + 3]
    if not seen[q] then seen[q] = true; names[#names + 1] = q end
  end
  for c = 1, #names, 1000 do redis.call('SADD', P .. ':queues', unpack(names, c, math.min(#names, c + 999))) end
end
return out
