package dev.kyu.bench.compare;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a Celery worker for one run is started: a prefork pool of {@code processes} processes consuming
 * {@code consumeQueue} (an idle queue while the run's jobs are held), without the cluster chatter (gossip,
 * mingle, heartbeats) a single worker does not need. Prefetch is Celery's default (4 per process).
 */
record CeleryWorkerCommand(
        String python,
        Path dir,
        String brokerUrl,
        String consumeQueue,
        String nodeName,
        int processes,
        Path doneFile,
        boolean timed) {

    List<String> command() {
        return List.of(
                python,
                "-m",
                "celery",
                "--quiet",
                "-A",
                CeleryScripts.APP_MODULE,
                "worker",
                "--pool=prefork",
                "--concurrency=" + processes,
                "-Q",
                consumeQueue,
                "-n",
                nodeName,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING");
    }

    Map<String, String> environment() {
        return Map.of(
                "KYU_BENCH_BROKER",
                brokerUrl,
                "KYU_BENCH_DONE",
                doneFile.toString(),
                "KYU_BENCH_TIMED",
                timed ? "1" : "0",
                "PYTHONPATH",
                dir.toString(),
                "PYTHONDONTWRITEBYTECODE",
                "1");
    }
}
