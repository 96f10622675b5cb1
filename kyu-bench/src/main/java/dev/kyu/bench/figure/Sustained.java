package dev.kyu.bench.figure;

import dev.kyu.bench.proc.WorkerHandle;
import dev.kyu.bench.report.Stats;
import dev.kyu.bench.subject.Subject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sustained load: one producer offers a steady rate (in small batches every 10 ms) while the workers run,
 * for {@code sustainedSeconds}. Reports the finished jobs per second over the window and the p99 latency
 * of the jobs enqueued in it, and keeps a series with one point per second (finished that second, p99
 * of the jobs that started that second).
 */
public final class Sustained implements Measurement {
    private volatile int rate;

    @Override
    public String name() {
        return "sustained";
    }

    /** The most a default rate offers: the memory engine keeps finished jobs in the heap, and a minute at
     *  half its drain rate (tens of millions of jobs) fills any heap the harness would have. */
    static final int MAX_DEFAULT_RATE = 100_000;

    /** The offered rate when the config leaves it open (half the drain median, measured earlier in the pass). */
    public void defaultRate(int jobsPerSecond) {
        this.rate = Math.min(jobsPerSecond, MAX_DEFAULT_RATE);
    }

    @Override
    @SuppressWarnings("try") // the workers are a scope guard: they run for the try block and stop at its end
    public List<Sample> run(Subject subject, BenchConfig config, int run) throws InterruptedException {
        String queue = Queues.name("sus", run);
        int offered = config.sustainedRate() > 0 ? config.sustainedRate() : (rate > 0 ? rate : 1000);
        int seconds = config.sustainedSeconds();
        try (WorkerHandle workers = subject.startWorkers(queue, config.concurrency(), true)) {
            var produced = new AtomicLong();
            long t0 = System.nanoTime();
            long t0Micros = System.currentTimeMillis() * 1000L;
            long end = t0 + seconds * 1_000_000_000L;
            Thread producer = Thread.ofPlatform().name("bench-producer").start(() -> {
                long tick = 10_000_000L;
                long k = 0;
                while (true) {
                    long due = t0 + k * tick;
                    if (due >= end) return;
                    while (System.nanoTime() < due) LockSupport.parkNanos(due - System.nanoTime());
                    // Jobs owed by now, so the offered rate holds even when a batch took longer than a tick.
                    // In batches of at most --batch-size, as many as it takes: one batch per tick would cap the
                    // offered rate at 100 batches/s.
                    long owed = (long) ((System.nanoTime() - t0) / 1e9 * offered) - produced.get();
                    while (owed > 0) {
                        int batch = (int) Math.min(owed, config.batchSize());
                        subject.enqueueBatch(queue, batch);
                        produced.addAndGet(batch);
                        owed -= batch;
                    }
                    k++;
                }
            });
            var perSecond = new ArrayList<Long>();
            long last = 0;
            for (int s = 1; s <= seconds; s++) {
                long due = t0 + s * 1_000_000_000L;
                while (System.nanoTime() < due) LockSupport.parkNanos(due - System.nanoTime());
                long finished = subject.progress(queue).finished();
                perSecond.add(finished - last);
                last = finished;
            }
            producer.join();
            double throughput = last / (double) seconds;
            Waiter.awaitFinished(subject, queue, produced.get(), System.nanoTime(), 300_000_000_000L);

            var bySecond = new TreeMap<Long, List<Double>>();
            var all = new ArrayList<Double>();
            for (Subject.JobTimes t : subject.times(queue)) {
                all.add(t.latencyMs());
                bySecond.computeIfAbsent((t.startedMicros() - t0Micros) / 1_000_000L, x -> new ArrayList<>())
                        .add(t.latencyMs());
            }
            var series = new ArrayList<Map<String, Object>>();
            for (int s = 0; s < seconds; s++) {
                var point = new LinkedHashMap<String, Object>();
                point.put("run", run);
                point.put("second", s + 1);
                point.put("finished", perSecond.get(s));
                List<Double> lat = bySecond.get((long) s);
                point.put("p99Ms", lat == null ? null : Stats.percentile(lat, 99));
                series.add(point);
            }
            return List.of(
                    new Sample("sustained-throughput", "jobs/s", throughput, produced.get(), series),
                    Sample.of("sustained-offered", "jobs/s", offered, produced.get()),
                    Sample.of("sustained-p99", "ms", all.isEmpty() ? 0 : Stats.percentile(all, 99), produced.get()));
        } finally {
            subject.cleanup(queue);
        }
    }
}
