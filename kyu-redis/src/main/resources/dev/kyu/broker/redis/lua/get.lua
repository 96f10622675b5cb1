-- Reads jobs. ARGV: prefix, n, then queue, id per job; a queue '' (single server only) is looked up in the id
-- index here, so jobs found by id alone cost one call. Returns {hash, errors, queue} per job ({} when missing).
local n = tonumber(ARGV[2])
local out = {}
local queues = {}
if GLOBAL then
  for i = 0, n - 1 do
    if ARGV[3 + i * 2] == '' then jobqneed(); break end
  end
end
for i = 0, n - 1 do
  local q, id = ARGV[3 + i * 2], ARGV[4 + i * 2]
  if q == '' and GLOBAL then q = redis.call('HGET', JOBQ, id) end
  if type(q) == 'string' and q ~= '' then
    queues[i] = q
    qneed(q, {'run'})
  end
end
for i = 0, n - 1 do
  local q, id = queues[i], ARGV[4 + i * 2]
  if q then
    local d = dump(q, id)
    d[3] = q
    out[#out + 1] = d
  else
    out[#out + 1] = {}
  end
end
return out
