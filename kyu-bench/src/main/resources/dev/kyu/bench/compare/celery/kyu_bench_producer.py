"""The producer side of Kyu's Celery benchmark: one Python process, one connection, driven by the harness
over standard input, one command a line, one reply a line (OK …, or ERR and a message):

  ENQ QUEUE N       publish N no-op tasks to QUEUE with apply_async, each stamped with its enqueue time
  GO QUEUE WORKER   tell the worker named WORKER to start consuming QUEUE (the drain's release)
  DELETE QUEUE      delete QUEUE; replies OK and the number of messages it still held
  PING              replies OK
"""
import sys
import time


def reply(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


try:
    import kyu_bench_celery
except ImportError as e:
    reply("NOCELERY " + str(e))
    sys.exit(3)

app = kyu_bench_celery.app
noop = kyu_bench_celery.noop

try:
    conn = app.connection_for_write()
    conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=5)
except Exception as e:  # kombu's errors vary by transport; any of them means: no broker
    reply("UNREACHABLE %s" % (e,))
    sys.exit(4)

producer = app.amqp.Producer(conn)
reply("READY " + kyu_bench_celery.celery_version)

for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    try:
        if parts[0] == "ENQ":
            queue, n = parts[1], int(parts[2])
            for _ in range(n):
                noop.apply_async((time.time_ns() // 1000,), queue=queue, producer=producer)
            reply("OK")
        elif parts[0] == "GO":
            answers = app.control.add_consumer(
                parts[1], destination=[parts[2]], reply=True, timeout=10, connection=conn)
            if not answers:
                reply("ERR worker %s did not answer add_consumer" % parts[2])
            else:
                reply("OK")
        elif parts[0] == "DELETE":
            ch = conn.default_channel
            try:
                left = ch.queue_delete(parts[1])
            except Exception:
                # Never declared (nothing was published to it): nothing to delete.
                conn.close()
                conn = app.connection_for_write()
                producer = app.amqp.Producer(conn)
                left = 0
            reply("OK %d" % (left or 0))
        elif parts[0] == "PING":
            reply("OK")
        else:
            reply("ERR unknown command " + parts[0])
    except Exception as e:
        reply("ERR %s: %s" % (type(e).__name__, str(e).replace("\n", " ")))
