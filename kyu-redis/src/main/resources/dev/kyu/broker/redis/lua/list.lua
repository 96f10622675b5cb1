-- Lists a queue's jobs newest first (by id). ARGV: prefix, queue, state ('' = all), start, stop.
-- Returns {id, {hash, errors}} pairs flattened: {id1, dump1, id2, dump2, ...}.
local q, st = ARGV[2], ARGV[3]
local idx = (st == '') and qk(q, 'ids') or qk(q, 'st:' .. st)
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', idx, tonumber(ARGV[4]), tonumber(ARGV[5]))) do
  out[#out + 1] = id
  out[#out + 1] = dump(q, id)
end
return out
