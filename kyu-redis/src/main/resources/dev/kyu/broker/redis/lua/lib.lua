-- Shared helpers, prepended to every Kyu script. ARGV[1] is always the key prefix.
-- Every key a script touches is built from a queue name as PREFIX:{queue}:..., so all keys of one queue
-- share a Cluster hash slot; scripts over several queues are only sent whole to a single server.
redis.replicate_commands()
-- ARGV[1] is 'PREFIX|g' on a single server (unique keys and the id index are global and kept by the
-- scripts) or 'PREFIX|q' on a Cluster (scripts touch one queue's slot only).
local P, MODE = string.match(ARGV[1], '^(.*)|(%a)$')
if P == nil then P, MODE = ARGV[1], 'q' end
local GLOBAL = MODE == 'g'
-- The id index (job id -> queue), kept on a single server only; its name built once per call.
local JOBQ = P .. ':jobq'
local TERMINAL = {SUCCEEDED = true, FAILED = true, CANCELLED = true}
local STATES = {BLOCKED = true, SCHEDULED = true, QUEUED = true, RUNNING = true, SUCCEEDED = true, FAILED = true,
  CANCELLED = true}
local MAX_ERRORS = 20
local WAKE_BOUND = 999

local function qk(q, suffix) return P .. ':{' .. q .. '}:' .. suffix end
local function jk(q, id) return qk(q, 'job:' .. id) end
-- A queue's fixed keys (indexes, not jobs), built once per call: a script over a batch names the same few
-- keys for every job, and each name built is a string made, hashed and collected.
local QKC = {}
local function qkc(q, suffix)
  local byq = QKC[q]
  if byq == nil then byq = {}; QKC[q] = byq end
  local k = byq[suffix]
  if k == nil then k = qk(q, suffix); byq[suffix] = k end
  return k
end
local function ek(q, id) return qk(q, 'err:' .. id) end

-- A queue's fixed keys and the type each holds (see docs/brokers/redis.md); 'paused' is only ever tested
-- with EXISTS, so any type does.
local function kindof(suffix)
  if suffix == 'wake' then return 'list' elseif suffix == 'stats' or suffix == 'relay' or suffix == 'pending' then return 'hash' end
  return 'zset'
end
-- Keys of this call found fitting: each is checked once per call, however many jobs name it.
local CHECKED = {}
-- Whether each of queue q's keys named by `suffixes` is missing or of its type; else the reason is in BADKEY.
local function qfits(q, suffixes)
  for _, sfx in ipairs(suffixes) do
    local k = qkc(q, sfx)
    if not CHECKED[k] then
      if not fits(k, kindof(sfx)) then return false end
      CHECKED[k] = true
    end
  end
  return true
end
-- qfits(), refusing the whole script when a key does not fit.
local function qneed(q, suffixes) if not qfits(q, suffixes) then refuse() end end
-- Every fixed key of a queue that holds jobs, for the verbs that may move a job from any state to any other.
local ALLKEYS = {'ready', 'sched', 'run', 'wake', 'st:BLOCKED', 'st:SCHEDULED', 'st:QUEUED', 'st:SUCCEEDED', 'st:FAILED',
  'st:CANCELLED', 'fin:SUCCEEDED', 'fin:FAILED', 'fin:CANCELLED', 'exp'}
-- The id index, on a single server: checked once per call by the scripts that write it.
local function jobqneed() if GLOBAL and not CHECKED[JOBQ] then need({JOBQ, 'hash'}); CHECKED[JOBQ] = true end end
local function s(n) return string.format('%d', n) end
-- Unique keys are global on a single server; on a Cluster they live in (and are unique within) the queue's slot.
local function uk(q, key) if GLOBAL then return P .. ':uniq:' .. key end return qk(q, 'uniq:' .. key) end
-- The queue a unique key's holder lives in.
local function holderq(q, id) if GLOBAL then return redis.call('HGET', JOBQ, id) end return q end

-- The server's time of this call in epoch microseconds as text, set by nowms(): the stamp of the jobs'
-- enqueuedAt, startedAt and finishedAt. Due times and scores stay in milliseconds.
local STAMP

local function nowms()
  local t = redis.call('TIME')
  STAMP = t[1] .. string.format('%06d', tonumber(t[2]))
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Ready-set member: due time then id, so equal priorities (equal scores) come out oldest first.
local function rkey(due, id) return string.format('%015d', math.max(0, due)) .. id end

-- A job's fields flat, {} when the key is missing or is not a hash (foreign data): one call, no TYPE first.
local function flathash(key)
  local flat = redis.pcall('HGETALL', key)
  if flat.err then return {} end
  return flat
end

local function totable(flat)
  local h = {}
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  return h
end

-- A job's fields as a table; empty when the key is missing or is not a hash (foreign data).
local function hash(key) return totable(flathash(key)) end

-- Index changes collected during a script and sent as one multi-member call per key at the end, so a
-- batch of n jobs costs a few ZADD/ZREM/HSET calls instead of n of each. Only for keys the rest of the
-- script does not read back.
local LATER, LATER_ORDER = {}, {}
local function later(cmd, key, a, b)
  -- By command, then key: no slot name is built per call (a string made and interned for every job).
  local bycmd = LATER[cmd]
  if bycmd == nil then
    bycmd = {}
    LATER[cmd] = bycmd
  end
  local e = bycmd[key]
  if e == nil then
    e = {cmd, key, {}}
    bycmd[key] = e
    LATER_ORDER[#LATER_ORDER + 1] = e
  end
  local args = e[3]
  args[#args + 1] = a
  if b ~= nil then args[#args + 1] = b end
end

local function flush()
  for _, e in ipairs(LATER_ORDER) do
    local args = e[3]
    -- Bounded chunks: unpack() is limited by the Lua stack.
    for i = 1, #args, 4000 do
      redis.call(e[1], e[2], unpack(args, i, math.min(#args, i + 3999)))
    end
  end
  LATER, LATER_ORDER = {}, {}
end

-- Statistics counted during a script and added once per counter at the end.
local TALLY = {}
local STAT_NOW, STAT_FIELDS = nil, {}
local function stat(q, now, field)
  if now ~= STAT_NOW then STAT_NOW, STAT_FIELDS = now, {} end
  local f = STAT_FIELDS[field]
  if f == nil then
    f = s(math.floor(now / 60000) * 60000) .. ':' .. field
    STAT_FIELDS[field] = f
  end
  local t = TALLY[q]
  if t == nil then t = {}; TALLY[q] = t end
  t[f] = (t[f] or 0) + 1
end

local function flushstats()
  for q, t in pairs(TALLY) do
    for f, n in pairs(t) do redis.call('HINCRBY', qk(q, 'stats'), f, n) end
  end
  TALLY = {}
end

local function pusherr(q, id, err)
  local kind = redis.call('TYPE', ek(q, id))['ok']
  if kind ~= 'none' and kind ~= 'list' then redis.call('RENAME', ek(q, id), qk(q, 'garbage-err:' .. id)) end
  redis.call('RPUSH', ek(q, id), err)
  redis.call('LTRIM', ek(q, id), -MAX_ERRORS, -1)
  -- Tells fetch the job has errors to read, so a job without any costs no list read.
  redis.call('HSET', jk(q, id), 'errs', '1')
end

local function reason(attempt, etype, message, now)
  -- The attempt comes from a stored field, which may hold anything: 1 MiB of digits reads as infinity,
  -- which cjson refuses to encode (failing the whole script). An error names only a count it can hold.
  if type(attempt) ~= 'number' or attempt ~= attempt or attempt < 0 or attempt > 2147483647 then attempt = 0 end
  attempt = math.floor(attempt)
  return cjson.encode({attempt = attempt, type = etype, message = message, stackTrace = '', at = now})
end

local function wake(q, n)
  if n > 0 then
    local t = {}
    for i = 1, math.min(n, WAKE_BOUND) do t[i] = '1' end
    redis.call('LPUSH', qk(q, 'wake'), unpack(t))
    redis.call('LTRIM', qk(q, 'wake'), 0, WAKE_BOUND)
  end
end

-- Takes the job out of whichever waiting/running structure holds it.
local function detach(q, id, h)
  if h.rk then redis.call('ZREM', qk(q, 'ready'), h.rk) end
  redis.call('ZREM', qk(q, 'sched'), id)
  redis.call('ZREM', qk(q, 'run'), id)
end

-- The per-state id index: RUNNING has none, the lease-ordered 'run' set (as small as the workers' slots) is it.
local function indexed(state) return STATES[state] and state ~= 'RUNNING' end

-- Files a job that just ended for the prune: by finish time under its state ('fin:STATE', judged by the
-- prune's global retention), or, when it has a result ttl of its own (ms), by when that runs out ('exp').
-- A finished job is in exactly one of them.
local function finished(q, id, state, now, ttl)
  ttl = tonumber(ttl)
  if ttl then redis.call('ZADD', qk(q, 'exp'), now + ttl, id)
  else redis.call('ZADD', qk(q, 'fin:' .. state), now, id) end
end

local function setstate(q, id, from, to, now)
  if from and indexed(from) then
    redis.call('ZREM', qk(q, 'st:' .. from), id)
    if TERMINAL[from] then
      redis.call('ZREM', qk(q, 'fin:' .. from), id)
      redis.call('ZREM', qk(q, 'exp'), id)
    end
  end
  if indexed(to) then redis.call('ZADD', qk(q, 'st:' .. to), 0, id) end
  if TERMINAL[to] then
    finished(q, id, to, now, redis.call('HGET', jk(q, id), 'resultTtl'))
    redis.call('HSET', jk(q, id), 'state', to, 'finishedAt', STAMP or s(now * 1000))
  else
    redis.call('HSET', jk(q, id), 'state', to)
  end
end

-- Frees the job's unique key if it still points at this job; PERIOD keys live out their TTL.
local function unique_release(q, id, h, only_scope)
  local key, scope = h.uniqueKey, h.uniqueScope
  if GLOBAL and key and key ~= '' and scope ~= 'PERIOD' and (only_scope == nil or only_scope == scope) then
    local k = uk(q, key)
    -- A key holding another type (foreign data) does not name this job: left as it is.
    if redis.pcall('GET', k) == id then redis.call('DEL', k) end
  end
end

-- Makes the job wait again: QUEUED now, or SCHEDULED when due later (or always, for a retry's back-off).
-- Publishes the end of a job someone awaits (its 'awaited' field, set by await.lua) on one channel that
-- carries ids. A channel is no key: nothing to check before the first write, nothing left half-written,
-- and a job nobody awaits costs no command, since its callers read 'awaited' with the fields they need.
-- pcall: a server refusing the channel (an ACL without it) must not fail the script after its writes.
local function announce(id) redis.pcall('PUBLISH', P .. ':ended', id) end

local function requeue(q, id, h, due, now, scheduled)
  local key = jk(q, id)
  redis.call('HDEL', key, 'workerId', 'leaseExpiresAt', 'cancelRequested')
  redis.call('HSET', key, 'scheduledAt', s(due))
  if due <= now and not scheduled then
    local rk = rkey(due, id)
    redis.call('HSET', key, 'rk', rk)
    redis.call('ZADD', qk(q, 'ready'), -(tonumber(h.priority) or 0), rk)
    setstate(q, id, h.state, 'QUEUED', now)
    wake(q, 1)
  else
    redis.call('ZADD', qk(q, 'sched'), due, id)
    setstate(q, id, h.state, 'SCHEDULED', now)
  end
end

-- ---- Links (docs/brokers/redis.md, "Links") ----------------------------------------------------------
-- A job's 'dependents' field is a JSON array of ids whose 'waitsFor' count it lowers when it ends or is
-- deleted. On a single server the ending script releases them itself (their keys are in other queues' hash
-- tags, which one script may touch there). On a Cluster it cannot: it records the release in its own slot
-- ('relay', parent id -> dependents) and the relay (relay.lua, once per dependent's slot, driven by
-- RedisBroker and re-driven by maintenance) applies it, counting each parent once per dependent.
-- Built on a script's first use only (a job with links met): a call without any pays for one function
-- definition here instead of all of them, as lib.lua is defined afresh on every call.
local LINKS = nil
local function links()
  if LINKS == nil then
    LINKS = {}
    -- The queue of each dependent met in this call (false: not in the id index), looked up once.
    local DEPQ = {}
    -- The keys of a dependent's queue that releasing it writes.
    local RELKEYS = {'ready', 'st:BLOCKED', 'st:QUEUED', 'wake'}

    -- The ids of a stored 'dependents' field; {} for none, or for a value that is no JSON array (foreign data).
    -- Decoded once per call: the key checks and the release read the same value.
    local DEPIDS = {}
    local function depids(text)
      if type(text) ~= 'string' or text == '' then return {} end
      local out = DEPIDS[text]
      if out then return out end
      out = {}
      local ok, v = pcall(cjson.decode, text)
      if ok and type(v) == 'table' then
        for _, id in ipairs(v) do if type(id) == 'string' and id ~= '' then out[#out + 1] = id end end
      end
      DEPIDS[text] = out
      return out
    end

    local function depq(id)
      local q = DEPQ[id]
      if q == nil then
        q = redis.call('HGET', JOBQ, id)
        if type(q) ~= 'string' then q = false end
        DEPQ[id] = q
      end
      return q
    end

    -- Whether every key that releasing the dependents of a job of queue q writes is missing or of its type (a
    -- key check, run before the script's first write); else the reason is in BADKEY. True at once for a job
    -- without dependents.
    local function relfits(q, deps)
      if deps == nil or deps == false or deps == '' then return true end
      if not GLOBAL then return qfits(q, {'relay'}) end
      if not CHECKED[JOBQ] then
        if not fits(JOBQ, 'hash') then return false end
        CHECKED[JOBQ] = true
      end
      for _, id in ipairs(depids(deps)) do
        local dq = depq(id)
        if dq and not qfits(dq, RELKEYS) then return false end
      end
      return true
    end

    -- relfits(), refusing the whole script when a key does not fit.
    local function relneed(q, deps) if not relfits(q, deps) then refuse() end end

    -- Lowers the wait count of dependent `id` of queue dq by one if it is BLOCKED; at zero it becomes QUEUED,
    -- due at `now`, and true is answered (the caller wakes a worker of dq). Missing or not BLOCKED: skipped.
    local function lower(dq, id, now)
      local key = jk(dq, id)
      local v = redis.pcall('HMGET', key, 'state', 'waitsFor', 'priority')
      if v.err or v[1] ~= 'BLOCKED' then return false end
      -- HMGET gives a missing field as false; a count that does not read as one is taken as 1 (release now).
      local n = tonumber(v[2] or nil)
      if n == nil or n ~= n or n < 1 or n > 2147483647 then n = 1 end
      n = math.floor(n) - 1
      if n > 0 then
        redis.call('HSET', key, 'waitsFor', s(n))
        return false
      end
      local rk = rkey(now, id)
      local prio = tonumber(v[3] or nil)
      if prio == nil or prio ~= prio or math.abs(prio) > 2147483647 then prio = 0 end
      redis.call('HSET', key, 'state', 'QUEUED', 'scheduledAt', s(now), 'rk', rk)
      redis.call('HDEL', key, 'waitsFor')
      redis.call('ZREM', qk(dq, 'st:BLOCKED'), id)
      redis.call('ZADD', qk(dq, 'st:QUEUED'), 0, id)
      redis.call('ZADD', qk(dq, 'ready'), -prio, rk)
      return true
    end

    -- Releases the dependents of job `id` of queue q: on a single server at once (lower() for each, one wake-up
    -- push per queue at the end, so a step with a thousand children makes one list call); on a Cluster by a
    -- record in q's 'relay' for the relay to apply. Its keys were checked by relfits() before the first write.
    local function release(q, id, deps, now)
      if deps == nil or deps == false or deps == '' then return end
      if not GLOBAL then
        redis.call('HSET', qk(q, 'relay'), id, deps)
        return
      end
      local woken, order = {}, {}
      for _, d in ipairs(depids(deps)) do
        local dq = depq(d)
        if dq and lower(dq, d, now) then
          if woken[dq] == nil then order[#order + 1] = dq end
          woken[dq] = (woken[dq] or 0) + 1
        end
      end
      for _, dq in ipairs(order) do wake(dq, woken[dq]) end
    end

    -- A job that just ended: its dependents are released and then cleared, so it releases them once in its life.
    local function ended(q, id, deps, now)
      if deps == nil or deps == false or deps == '' then return end
      redis.call('HDEL', jk(q, id), 'dependents')
      release(q, id, deps, now)
    end
    LINKS.depids = depids
    LINKS.depq = depq
    LINKS.relfits = relfits
    LINKS.relneed = relneed
    LINKS.lower = lower
    LINKS.release = release
    LINKS.ended = ended
    LINKS.RELKEYS = RELKEYS
  end
  return LINKS
end

-- The 'dependents' field of a job key, nil when absent or the key is not a hash.
local function depsof(key)
  local d = redis.pcall('HGET', key, 'dependents')
  if type(d) == 'string' and d ~= '' then return d end
  return nil
end

local function finish(q, id, h, to, now)
  redis.call('HDEL', jk(q, id), 'leaseExpiresAt', 'cancelRequested')
  setstate(q, id, h.state, to, now)
  unique_release(q, id, h, nil)
  if h.dependents then links().ended(q, id, h.dependents, now) end
  if h.awaited then announce(id) end
end

-- A job whose stored fields a worker could not use: FAILED with a readable reason, raw fields kept.
local function bury(q, id, h, why, now)
  local deps = h.dependents
  if deps == nil then deps = depsof(jk(q, id)) end
  detach(q, id, h)
  pusherr(q, id, reason(tonumber(h.attempt) or 0, 'kyu.CorruptJob', why, now))
  redis.call('HDEL', jk(q, id), 'leaseExpiresAt', 'cancelRequested')
  setstate(q, id, h.state, 'FAILED', now)
  if deps then links().ended(q, id, deps, now) end
  if h.awaited then announce(id) end
end

-- Why a stored job cannot be run, or nil when its fields are usable.
local function corrupt(h)
  if type(h.task) ~= 'string' or h.task == '' then return 'no task name' end
  if not STATES[h.state or ''] then return 'unknown state ' .. tostring(h.state) end
  for _, f in ipairs({'attempt', 'maxAttempts', 'priority', 'enqueuedAt', 'scheduledAt'}) do
    if tonumber(h[f]) == nil then return 'field ' .. f .. ' is not a number: ' .. tostring(h[f]) end
  end
  if h.args == nil then return 'no args' end
  if h.meta and h.meta ~= '' then
    local ok, m = pcall(cjson.decode, h.meta)
    if not ok or type(m) ~= 'table' then return 'meta is not a JSON object' end
  end
  return nil
end

-- The errors of a job, {} when there are none or the key is not a list.
local function errors(q, id)
  local errs = redis.pcall('LRANGE', ek(q, id), 0, -1)
  if errs.err then return {} end
  return errs
end

-- A job as stored, for queries; a RUNNING job's lease expiry is its score in 'run'.
local function dump(q, id)
  local flat = flathash(jk(q, id))
  local expiry = redis.call('ZSCORE', qk(q, 'run'), id)
  if expiry then
    flat[#flat + 1] = 'leaseExpiresAt'
    flat[#flat + 1] = expiry
  end
  return {flat, errors(q, id)}
end

-- The few fields dropping a job needs ({} when the key is missing or not a hash).
local function dropfields(key)
  local v = redis.pcall('HMGET', key, 'state', 'rk', 'uniqueKey', 'uniqueScope', 'dependents', 'retainWith', 'awaited')
  if v.err then return {} end
  return {state = v[1] or nil, rk = v[2] or nil, uniqueKey = v[3] or nil, uniqueScope = v[4] or nil,
    dependents = v[5] or nil, retainWith = v[6] or nil, awaited = v[7] or nil}
end

-- Deletes a job and every index entry that names it. A finished job waits nowhere (its 'rk' is stale).
local function drop(q, id, h, now)
  if not TERMINAL[h.state or ''] then detach(q, id, h) end
  if h.state and indexed(h.state) then
    redis.call('ZREM', qk(q, 'st:' .. h.state), id)
    if TERMINAL[h.state] then
      redis.call('ZREM', qk(q, 'fin:' .. h.state), id)
      redis.call('ZREM', qk(q, 'exp'), id)
    end
  end
  unique_release(q, id, h, nil)
  redis.call('DEL', jk(q, id), ek(q, id))
  if GLOBAL then redis.call('HDEL', JOBQ, id) end
  if not GLOBAL then redis.call('DEL', qk(q, 'counted:' .. id)) end
  if h.dependents then links().release(q, id, h.dependents, now) end
  -- a job deleted before it ended ends its awaits (they find it gone); one deleted after ended them already
  if h.awaited and not TERMINAL[h.state or ''] then announce(id) end
end

-- Moves q's due scheduled jobs to ready; nil (reason in BADKEY, nothing written) when a key it needs, or
-- one of q's keys named by `also` (those the caller writes next), does not fit.
local function promote(q, now, limit, also)
  local sched = qkc(q, 'sched')
  local due = met(redis.pcall('ZRANGEBYSCORE', sched, '-inf', now, 'LIMIT', 0, limit), sched, 'zset')
  if due == nil then return nil end
  if #due == 0 then return 0 end
  if not qfits(q, {'ready', 'st:SCHEDULED', 'st:QUEUED', 'wake'}) or (also and not qfits(q, also)) then return nil end
  local n = 0
  for _, id in ipairs(due) do
    redis.call('ZREM', qk(q, 'sched'), id)
    local h = hash(jk(q, id))
    if h.state == 'SCHEDULED' then
      local rk = rkey(math.min(tonumber(h.inline) or now, tonumber(h.scheduledAt) or now), id)
      if h.inline then redis.call('HDEL', jk(q, id), 'inline') end
      redis.call('HSET', jk(q, id), 'rk', rk)
      redis.call('ZADD', qk(q, 'ready'), -(tonumber(h.priority) or 0), rk)
      setstate(q, id, 'SCHEDULED', 'QUEUED', now)
      n = n + 1
    end
  end
  wake(q, n)
  return n
end
