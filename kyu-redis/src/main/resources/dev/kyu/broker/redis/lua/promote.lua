-- Moves due SCHEDULED jobs to QUEUED. ARGV: prefix, limit, nq, queues... Returns how many moved.
local now = nowms()
local limit, nq = tonumber(ARGV[2]), tonumber(ARGV[3])
local moved = 0
for i = 1, nq do
  if moved < limit then moved = moved + promote(ARGV[3 + i], now, limit - moved) end
end
return moved
