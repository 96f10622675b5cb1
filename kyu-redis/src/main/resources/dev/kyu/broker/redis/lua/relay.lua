-- The relay of links on a Cluster (lib.lua, "Links"): applies releases recorded in other slots to the
-- dependents of one slot. ARGV: prefix, n, then queue, dependent id, parent id per item. Idempotent: each
-- BLOCKED dependent keeps the parents it has counted ('counted:ID', a set, gone once it is released or
-- deleted), so a release driven twice (a crash between the relay and clearing its record) counts once.
-- Answers per item 1 when that dependent became QUEUED, else 0.
local now = nowms()
local n = tonumber(ARGV[2])
for i = 0, n - 1 do
  local q, id = ARGV[3 + i * 3], ARGV[4 + i * 3]
  qneed(q, links().RELKEYS)
  need({qk(q, 'counted:' .. id), 'set'})
end
local woken, order, out = {}, {}, {}
for i = 0, n - 1 do
  local q, id, parent = ARGV[3 + i * 3], ARGV[4 + i * 3], ARGV[5 + i * 3]
  local counted = qk(q, 'counted:' .. id)
  local state = redis.pcall('HGET', jk(q, id), 'state')
  out[i + 1] = 0
  if state == 'BLOCKED' and redis.call('SADD', counted, parent) == 1 then
    if links().lower(q, id, now) then
      redis.call('DEL', counted)
      out[i + 1] = 1
      if woken[q] == nil then order[#order + 1] = q end
      woken[q] = (woken[q] or 0) + 1
    end
  end
end
for _, q in ipairs(order) do wake(q, woken[q]) end
return out
