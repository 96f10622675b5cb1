-- Lists a queue's jobs newest first (by id). ARGV: prefix, queue, state ('' = all), start, stop.
-- Returns {id, {hash, errors}} pairs flattened: {id1, dump1, id2, dump2, ...}.
local q, st = ARGV[2], ARGV[3]
local start, stop = tonumber(ARGV[4]), tonumber(ARGV[5])
local ids
if st == 'RUNNING' then
  -- RUNNING jobs have no id index of their own: the lease set holds them all (as many as the workers' slots).
  ids = redis.call('ZRANGE', qk(q, 'run'), 0, -1)
  table.sort(ids, function(a, b) return a > b end)
  local page = {}
  for i = start + 1, math.min(#ids, stop + 1) do page[#page + 1] = ids[i] end
  ids = page
else
  local idx = (st == '') and qk(q, 'ids') or qk(q, 'st:' .. st)
  ids = redis.call('ZREVRANGE', idx, start, stop)
end
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = dump(q, id)
end
return out
