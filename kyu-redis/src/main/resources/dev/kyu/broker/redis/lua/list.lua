-- Lists a queue's jobs newest first (by id). ARGV: prefix, queue, state ('' = all), cursor ('' = from the
-- newest; else only ids below it), count. Returns {id, {hash, errors}} pairs flattened: {id1, dump1, ...}.
-- Every st:* set has score 0 throughout, so a lex range pages it by id. RUNNING jobs are the members of
-- 'run' (as many as the workers' slots), sorted here. Without a state filter the states are merged.
local q, st, cursor, count = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local top = (cursor == '') and '+' or ('(' .. cursor)
qneed(q, {'run', 'st:BLOCKED', 'st:SCHEDULED', 'st:QUEUED', 'st:SUCCEEDED', 'st:FAILED', 'st:CANCELLED'})

local function running()
  local ids = {}
  for _, id in ipairs(redis.call('ZRANGE', qk(q, 'run'), 0, -1)) do
    if cursor == '' or id < cursor then ids[#ids + 1] = id end
  end
  return ids
end

local ids = {}
for _, state in ipairs({'BLOCKED', 'SCHEDULED', 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'}) do
  if st == '' or st == state then
    local part
    if state == 'RUNNING' then part = running()
    else part = redis.call('ZREVRANGEBYLEX', qk(q, 'st:' .. state), top, '-', 'LIMIT', 0, count) end
    for _, id in ipairs(part) do ids[#ids + 1] = id end
  end
end
table.sort(ids, function(a, b) return a > b end)
local out = {}
local last = nil
for _, id in ipairs(ids) do
  if #out >= count * 2 then break end
  -- An id in two indexes at once (a half-finished move by hand) is listed once.
  if id ~= last then
    out[#out + 1] = id
    out[#out + 1] = dump(q, id)
    last = id
  end
end
return out
