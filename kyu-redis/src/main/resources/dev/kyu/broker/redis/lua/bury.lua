-- Sets aside a leased job whose fields the engine could not decode. ARGV: prefix, queue, id, workerId, attempt, reason.
local now = nowms()
local q, id = ARGV[2], ARGV[3]
local h = hash(jk(q, id))
if h.state == 'RUNNING' and h.workerId == ARGV[4] and h.attempt == ARGV[5] then
  qneed(q, {'ready', 'sched', 'run', 'st:FAILED', 'fin:FAILED', 'exp'})
  relneed(h.dependents)
  bury(q, id, h, ARGV[6], now)
  return 1
end
return 0
