-- Extends leases. ARGV: prefix, leaseMs, n, then queue, id, workerId, attempt, progress, progress message per
-- lease (progress '' when none was reported since the last heartbeat; it is stored only with a lease held).
-- Returns per lease 0 (lost), 1 (extended) or 2 (extended, cancel requested).
-- The queue is the lease's: the job is looked up under that queue's keys, which hold only that queue's jobs, so
-- a lease naming another queue is lost and no expiry or progress is written, in that queue or the job's own.
local now = nowms()
local lease, n = tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for i = 0, n - 1 do
  local b = 3 + i * 6
  local q, id, worker, attempt = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local key = jk(q, id)
  local h = redis.pcall('HMGET', key, 'state', 'workerId', 'attempt', 'cancelRequested')
  if not h.err and h[1] == 'RUNNING' and h[2] == worker and h[3] == attempt then
    -- The expiry is the job's score in 'run' (see fetch.lua); the hash is not touched. Written only at
    -- flush(), so every lease's key is checked before the first write.
    qneed(q, {'run'})
    later('ZADD', qk(q, 'run'), now + lease, id)
    if ARGV[b + 5] ~= '' then redis.call('HSET', key, 'progress', ARGV[b + 5], 'progressMessage', ARGV[b + 6]) end
    out[#out + 1] = (h[4] == '1') and 2 or 1
  else
    out[#out + 1] = 0
  end
end
flush()
return out
