-- Compare-and-set of one key of the kv hash. KEYS[1] kv hash; ARGV: prefix, key, '1' when an expected value
-- is given (else the key must be absent), expected, '1' when a value is given (else the key is deleted),
-- value. Returns 1 when applied, 0 when the current value differs (nothing written).
need({KEYS[1], 'hash'})
local cur = redis.call('HGET', KEYS[1], ARGV[2])
if ARGV[3] == '1' then
  if cur ~= ARGV[4] then return 0 end
elseif cur ~= false then
  return 0
end
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[6])
elseif cur ~= false then
  redis.call('HDEL', KEYS[1], ARGV[2])
end
return 1
