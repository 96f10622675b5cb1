-- Key checks, prepended to every Kyu script (before lib.lua, and to the scripts sent without it). Redis
-- keeps the writes a script made before an error, so a script checks every key it will touch before its
-- first write (TYPE, or the failed reply of a read or first write that meets the key anyway) and either
-- does all its work or none of it: a key holding another type (foreign data) is reported by name.
-- The first unusable key met, as a one-line reason; set by fits().
local BADKEY = nil
-- Whether key is missing or holds `want` (a TYPE name); else records the reason in BADKEY.
local function fits(key, want)
  local t = redis.call('TYPE', key)['ok']
  if t == 'none' or t == want then return true end
  -- Built only here: every call of every script defines what this file holds.
  local kinds = {string = 'a string', list = 'a list', set = 'a set', zset = 'a sorted set', hash = 'a hash',
    stream = 'a stream'}
  BADKEY = 'Redis key ' .. key .. ' holds ' .. (kinds[t] or t) .. ', expected ' .. (kinds[want] or want)
  return false
end
-- The reply of a redis.pcall that met `key` first, or nil (reason in BADKEY) when the key holds another
-- type than `want`; any other error is raised as it is.
local function met(reply, key, want)
  if type(reply) == 'table' and reply.err then
    if not fits(key, want) then return nil end
    error(reply.err)
  end
  return reply
end
-- Ends the script with the reason in BADKEY, before anything was written. The Java side finds the reason
-- after 'KYU_BADKEY ' in the error (raised as text, which Redis 6 and 7 both pass on with a prefix of their own).
local function refuse() error('KYU_BADKEY ' .. BADKEY) end
-- fits() for every key of a list of key, type pairs; refuses the script at the first that does not.
local function need(pairs_)
  for i = 1, #pairs_, 2 do if not fits(pairs_[i], pairs_[i + 1]) then refuse() end end
end
