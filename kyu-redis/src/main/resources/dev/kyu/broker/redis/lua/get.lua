-- Reads jobs. ARGV: prefix, n, then queue, id per job. Returns {hash, errors} per job ({} when missing).
local n = tonumber(ARGV[2])
local out = {}
for i = 0, n - 1 do qneed(ARGV[3 + i * 2], {'run'}) end
for i = 0, n - 1 do
  local q, id = ARGV[3 + i * 2], ARGV[4 + i * 2]
  out[#out + 1] = dump(q, id)
end
return out
