-- Claims a unique key on a Cluster, where it lives in a slot of its own. KEYS[1] the key; ARGV: prefix,
-- holder (id, queue and scope, each followed by a separator), periodMs ('' = no TTL), expected current value ('' = only if free).
-- The server's time is appended to the holder. Returns {1 claimed | 0 held, current value, now}.
-- With ARGV[5] = 'confirm', marks a claim whose job is now stored (claim time 0), keeping any TTL.
local now = nowms()
need({KEYS[1], 'string'})
local cur = redis.call('GET', KEYS[1])
if ARGV[5] == 'confirm' then
  if cur ~= ARGV[4] then return {0, cur or '', now} end
  redis.call('SET', KEYS[1], ARGV[2] .. '0', 'KEEPTTL')
  return {1, ARGV[2] .. '0', now}
end
if (ARGV[4] == '' and cur) or (ARGV[4] ~= '' and cur ~= ARGV[4]) then return {0, cur or '', now} end
local v = ARGV[2] .. s(now)
if ARGV[3] ~= '' then redis.call('SET', KEYS[1], v, 'PX', ARGV[3]) else redis.call('SET', KEYS[1], v) end
return {1, v, now}
