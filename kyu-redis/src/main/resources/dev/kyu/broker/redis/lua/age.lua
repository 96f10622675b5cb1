-- Priority aging of one queue: raises by one the priority of up to `limit` QUEUED jobs of the queue that were
-- due before `cut` (epoch ms, exclusive) and whose priority is below `ceiling`, oldest first (by due time, then
-- id). ARGV: prefix, queue, cut, ceiling, limit. Returns how many were raised.
--
-- 'ready' holds every QUEUED job: score -priority, member rkey = 15-digit due time + id. Members of one score
-- (one priority) come out in member order, which is due-time order, so the oldest jobs of a priority are the
-- first members of its score. The script walks the priorities below the ceiling from the highest, one
-- ZRANGEBYSCORE ... LIMIT 0 1 per priority to find its first member; a priority whose first member is not due
-- before the cut has nothing to age and costs nothing more. Of the others it reads at most `limit` members.
-- The candidates of every priority are merged by member and the oldest `limit` raised. Cost: O(P log N +
-- min(N, P * limit)) for P distinct priorities below the ceiling among N waiting jobs, never a walk of the
-- whole queue while the queue's priorities come from a small set.
--
-- A raised job keeps its member (its due time and id) and only moves to the score of its new priority, so in
-- its new priority it comes before every job that became due after it, as the SPI asks.
local q, cut, ceiling, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if limit < 1 then return 0 end
local ready = qkc(q, 'ready')
qneed(q, {'ready'})

-- The due time (ms) a member carries in its first 15 digits; nil for a member not written by Kyu.
local function due(member) return tonumber(string.sub(member, 1, 15)) end

local cands = {}
-- Scores are -priority: the priorities below the ceiling are the scores above -ceiling.
local lower = '(' .. s(-ceiling)
while true do
  local head = redis.call('ZRANGEBYSCORE', ready, lower, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #head == 0 then break end
  local score = head[2]
  local d = due(head[1])
  if d and d < cut then
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', ready, score, score, 'LIMIT', 0, limit)) do
      local dm = due(m)
      -- Members of one score are in due order: the first one not before the cut ends this priority.
      if not dm or dm >= cut then break end
      cands[#cands + 1] = {m, tonumber(score)}
    end
  end
  lower = '(' .. score
end
-- Oldest first across priorities: members compare by due time (fixed width digits), then by id.
table.sort(cands, function(a, b) return a[1] < b[1] end)

local raised = 0
local prefix = qk(q, 'job:')
for _, c in ipairs(cands) do
  if raised >= limit then break end
  local m = c[1]
  local id = string.sub(m, 16)
  -- Only a job that is QUEUED and filed under this very member: a member left stale by a move made behind
  -- Kyu's back is not a waiting job (fetch sets such members aside).
  local v = redis.pcall('HMGET', prefix .. id, 'state', 'rk')
  if not v.err and v[1] == 'QUEUED' and v[2] == m then
    local p = -c[2] + 1
    redis.call('ZADD', ready, -p, m)
    redis.call('HSET', prefix .. id, 'priority', s(p))
    raised = raised + 1
  end
end
return raised
