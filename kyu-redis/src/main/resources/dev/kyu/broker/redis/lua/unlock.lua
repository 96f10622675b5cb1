-- Releases a lock held by owner. KEYS[1] lock key; ARGV: prefix, owner.
need({KEYS[1], 'string'})
if redis.call('GET', KEYS[1]) == ARGV[2] then redis.call('DEL', KEYS[1]) end
return 0
