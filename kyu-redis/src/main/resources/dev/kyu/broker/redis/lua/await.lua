-- Marks a job awaited, so that the scripts ending or deleting it publish its id (lib.lua, announce).
-- ARGV: prefix, queue, id. Returns 1 when marked, 0 when the job is missing, not a hash, or has ended.
local key = jk(ARGV[2], ARGV[3])
local state = redis.pcall('HGET', key, 'state')
if type(state) ~= 'string' or TERMINAL[state] then return 0 end
redis.call('HSET', key, 'awaited', '1')
return 1
