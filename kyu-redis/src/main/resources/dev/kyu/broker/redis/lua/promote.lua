-- Moves due SCHEDULED jobs to QUEUED. ARGV: prefix, limit, nq, queues...
-- Returns {how many moved, {queue, reason, ...}}: a queue with a key of another type is skipped, unwritten,
-- and named with the reason.
local now = nowms()
local limit, nq = tonumber(ARGV[2]), tonumber(ARGV[3])
local moved = 0
local bad = {}
for i = 1, nq do
  if moved < limit then
    local q = ARGV[3 + i]
    local n = promote(q, now, limit - moved)
    if n == nil then
      bad[#bad + 1] = q
      bad[#bad + 1] = BADKEY
    else
      moved = moved + n
    end
  end
end
return {moved, bad}
