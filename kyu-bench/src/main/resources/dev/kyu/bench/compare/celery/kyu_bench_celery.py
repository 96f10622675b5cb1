"""The Celery app of Kyu's benchmark: one no-op task, run by a prefork worker.

The worker is started by the harness with KYU_BENCH_DONE naming a file: each task body appends one record
to it (O_APPEND writes of a few bytes are atomic between processes), which is how the harness counts
finished jobs without a result backend. With KYU_BENCH_TIMED=1 the record holds the job's enqueue time and
the moment its body began, for latency; otherwise it is one byte, so a drain pays only a write.
"""
import os
import time
import warnings

from celery import Celery, __version__ as celery_version
from celery.signals import worker_ready

# Containers often run the benchmark as root; the worker runs no untrusted code here, so its warning is noise.
warnings.filterwarnings("ignore", message="You're running the worker with superuser privileges")

app = Celery("kyu_bench", broker=os.environ["KYU_BENCH_BROKER"])
app.conf.update(
    # Ack after the task's outcome, as Kyu does: a job whose worker dies mid-run is delivered again.
    task_acks_late=True,
    task_ignore_result=True,
    result_backend=None,
    # Each publish waits for RabbitMQ's confirm, so an enqueue has returned only once the job is stored,
    # as Kyu's does.
    broker_transport_options={"confirm_publish": True},
    worker_hijack_root_logger=False,
    worker_redirect_stdouts=False,
)

TIMED = os.environ.get("KYU_BENCH_TIMED") == "1"
RECORD_BYTES = 42  # "%020d %020d\n": enqueue and start, microseconds since the epoch
_done_fd = None


def _fd():
    global _done_fd
    if _done_fd is None:
        _done_fd = os.open(os.environ["KYU_BENCH_DONE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    return _done_fd


@app.task(name="kyu_bench.noop")
def noop(enqueued_micros):
    if TIMED:
        os.write(_fd(), b"%020d %020d\n" % (enqueued_micros, time.time_ns() // 1000))
    else:
        os.write(_fd(), b"x")


@worker_ready.connect
def _ready(**_):
    # Standard output is the harness's: one line, once the pool's processes are up and consuming.
    os.write(1, b"READY\n")
