-- Takes or renews a lock. KEYS[1] lock key; ARGV: prefix, owner, ttlMs. Returns 1 when owner holds it.
need({KEYS[1], 'string'})
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
