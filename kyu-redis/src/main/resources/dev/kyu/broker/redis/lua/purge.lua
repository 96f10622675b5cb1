-- Deletes a queue's waiting (SCHEDULED and QUEUED) jobs. ARGV: prefix, queue. Returns the deleted ids.
local q = ARGV[2]
local out = {}
jobqneed()
qneed(q, ALLKEYS)
for _, st in ipairs({'SCHEDULED', 'QUEUED'}) do
  for _, id in ipairs(redis.call('ZRANGE', qk(q, 'st:' .. st), 0, -1)) do
    drop(q, id, hash(jk(q, id)))
    out[#out + 1] = id
  end
end
-- Members left without a job hash (written by hand, or half-deleted) go too.
redis.call('DEL', qk(q, 'ready'), qk(q, 'sched'), qk(q, 'wake'))
return out
