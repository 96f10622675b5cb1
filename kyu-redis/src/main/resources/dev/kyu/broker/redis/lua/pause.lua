-- Pauses or resumes a queue. ARGV: prefix, queue, '1' to pause or '0' to resume. On a single server the
-- queue joins the set of queue names here too; a Cluster keeps that set in another slot.
local q, pause = ARGV[2], ARGV[3] == '1'
need({qk(q, 'paused'), 'string'})
if not pause then qneed(q, {'wake'}) end
if GLOBAL then need({P .. ':queues', 'set'}) end
if pause then
  redis.call('SET', qk(q, 'paused'), '1')
else
  redis.call('DEL', qk(q, 'paused'))
  wake(q, 1)
end
if GLOBAL then redis.call('SADD', P .. ':queues', q) end
return 1
