-- Stores one job without a unique key: the common single-call enqueue, and the same job enqueue.lua would
-- store (same fields, indexes, wake-up and answer) in fewer commands and without the batch machinery.
-- Sent without lib.lua, whose helpers cost more to define on each call than this script's work, so the
-- few names it needs are spelled out here (but the key checks of check.lua). ARGV as enqueue.lua's with a
-- count of 1.
-- Effects replication, as lib.lua asks for: the stamps come from TIME (Redis 6.2 replicates scripts verbatim
-- by default).
redis.replicate_commands()
local P, MODE = string.match(ARGV[1], '^(.*)|(%a)$')
if P == nil then P, MODE = ARGV[1], 'q' end
local GLOBAL = MODE == 'g'
local id, task, q, args = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local prio, maxa, runat, delay = ARGV[7], ARGV[8], ARGV[9], ARGV[10]
local timeout, backoff, meta, ttl = ARGV[14], ARGV[15], ARGV[16], ARGV[17]
local qp = P .. ':{' .. q .. '}:'
local key = qp .. 'job:' .. id
-- An id that already exists, in this queue or (by the id index) another, is refused.
if redis.call('EXISTS', key) == 1 then
  if not fits(key, 'hash') then refuse() end
  return redis.error_reply('KYU_EXISTS ' .. id)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = now
if runat ~= '' then due = tonumber(runat) elseif delay ~= '' then due = now + tonumber(delay) end
-- Every key written below is checked first; the id index by its first write, which writes nothing when
-- the key holds another type.
if due <= now then
  need({qp .. 'ready', 'zset', qp .. 'st:QUEUED', 'zset', qp .. 'wake', 'list'})
else
  need({qp .. 'sched', 'zset', qp .. 'st:SCHEDULED', 'zset'})
end
if GLOBAL then need({P .. ':queues', 'set'}) end
local fresh = GLOBAL and met(redis.pcall('HSETNX', P .. ':jobq', id, q), P .. ':jobq', 'hash')
if fresh == nil then refuse() end
if fresh == 0 then
  local other = redis.call('HGET', P .. ':jobq', id)
  if other ~= q and redis.call('EXISTS', P .. ':{' .. other .. '}:job:' .. id) == 1 then
    return redis.error_reply('KYU_EXISTS ' .. id)
  end
  -- A stale index entry (its job is gone): this job takes the id over.
  redis.call('HSET', P .. ':jobq', id, q)
end
local f = {'id', id, 'task', task, 'queue', q, 'args', args, 'priority', prio, 'attempt', '0', 'maxAttempts', maxa,
  'enqueuedAt', t[1] .. string.format('%06d', tonumber(t[2])), 'scheduledAt', string.format('%d', due)}
local rk
if due <= now then
  rk = string.format('%015d', math.max(0, due)) .. id
  f[#f + 1] = 'state'; f[#f + 1] = 'QUEUED'; f[#f + 1] = 'rk'; f[#f + 1] = rk
else
  f[#f + 1] = 'state'; f[#f + 1] = 'SCHEDULED'
end
if timeout ~= '' then f[#f + 1] = 'timeout'; f[#f + 1] = timeout end
if backoff ~= '' then f[#f + 1] = 'backoff'; f[#f + 1] = backoff end
if meta ~= '' then f[#f + 1] = 'meta'; f[#f + 1] = meta end
if ttl ~= '' then f[#f + 1] = 'resultTtl'; f[#f + 1] = ttl end
redis.call('HSET', key, unpack(f))
if rk then
  redis.call('ZADD', qp .. 'ready', -tonumber(prio), rk)
  redis.call('ZADD', qp .. 'st:QUEUED', 0, id)
  -- One wake-up token; the list is trimmed to its bound only once it is over it.
  if redis.call('LPUSH', qp .. 'wake', '1') > 1000 then redis.call('LTRIM', qp .. 'wake', 0, 999) end
else
  redis.call('ZADD', qp .. 'sched', due, id)
  redis.call('ZADD', qp .. 'st:SCHEDULED', 0, id)
end
if GLOBAL then redis.call('SADD', P .. ':queues', q) end
return {1}
