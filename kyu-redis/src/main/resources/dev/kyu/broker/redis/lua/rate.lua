-- Takes from cell-rate limits' states (dev.kyu.spi.RateTake fixes the arithmetic), fields of the kv hash holding
-- 'TAT,RULE', one after the other. KEYS[1] kv hash; ARGV: prefix, then per take: field, rule, now, interval,
-- tolerance, count, horizon, the numbers as decimal text of epoch or span nanoseconds (0 .. 2^63-1).
-- Returns {tat0, taken} per take, flat.
-- Lua's numbers are doubles, exact to 2^53 only, and epoch nanoseconds are near 2^61: every number here is a pair
-- {s, n} = s * 10^9 + n (0 <= n < 10^9), whose parts stay exact, and every sum saturates at 2^63-1 as Java's do.
need({KEYS[1], 'hash'})
local E9 = 1000000000
local MAX = {9223372036, 854775807}
local function cmp(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] and -1 or 1 end
  if a[2] ~= b[2] then return a[2] < b[2] and -1 or 1 end
  return 0
end
local function sat(p) if cmp(p, MAX) > 0 then return MAX end return p end
local function add(a, b)
  local s, n = a[1] + b[1], a[2] + b[2]
  if n >= E9 then n = n - E9; s = s + 1 end
  return sat({s, n})
end
local function mul(k, a)
  local s, n = k * a[1], k * a[2]
  local carry = math.floor(n / E9)
  return sat({s + carry, n - carry * E9})
end
-- decimal text of 0 .. 2^63-1 (a leading '+' and zeros allowed, as Long.parseLong allows), else nil
local function parse(t)
  if t == nil then return nil end
  local digits = string.match(t, '^%+?(%d+)$')
  if digits == nil then return nil end
  digits = string.gsub(digits, '^0+', '')
  local len = string.len(digits)
  if len == 0 then return {0, 0} end
  if len > 19 or (len == 19 and digits > '9223372036854775807') then return nil end
  if len <= 9 then return {0, tonumber(digits)} end
  return {tonumber(string.sub(digits, 1, len - 9)), tonumber(string.sub(digits, len - 8))}
end
local function text(p)
  if p[1] == 0 then return string.format('%d', p[2]) end
  return string.format('%d%09d', p[1], p[2])
end

local out = {}
for g = 2, #ARGV, 7 do
  local field, rule = ARGV[g], ARGV[g + 1]
  local now, interval, tolerance = parse(ARGV[g + 2]), parse(ARGV[g + 3]), parse(ARGV[g + 4])
  local count, horizon = tonumber(ARGV[g + 5]), parse(ARGV[g + 6])
  local tat0 = now
  local cur = redis.call('HGET', KEYS[1], field)
  if cur then
    local c = string.find(cur, ',', 1, true)
    if c and string.sub(cur, c + 1) == rule then
      local stored = parse(string.sub(cur, 1, c - 1))
      if stored and cmp(stored, now) > 0 then tat0 = stored end
    end
  end
  -- start k is taken while tat0 + k * interval <= now + horizon + tolerance (its slot is due within the horizon)
  local last = add(add(now, horizon), tolerance)
  local taken = 1
  while taken < count and cmp(add(tat0, mul(taken, interval)), last) <= 0 do taken = taken + 1 end
  redis.call('HSET', KEYS[1], field, text(add(tat0, mul(taken, interval))) .. ',' .. rule)
  out[#out + 1] = text(tat0)
  out[#out + 1] = taken
end
return out
