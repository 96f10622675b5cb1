package dev.kyu.bench.jmh;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A job's broker round trips on the memory engine — enqueue, fetch with a lease, complete, delete — with
 * the fetch and completion batched {@code batch} at a time: what batching saves per job, with no network
 * in the way. Reported per job (256 jobs per invocation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FetchBatchBench {
    private static final int JOBS = 256;

    @Param({"1", "16", "256"})
    public int batch;

    private Broker broker;
    private FetchRequest fetch;

    @Setup(Level.Trial)
    public void open() {
        broker = Brokers.open("memory:jmh-fetch-" + System.nanoTime());
        fetch = new FetchRequest("jmh-worker", List.of("jmh"), batch, Duration.ofSeconds(30), Duration.ZERO);
    }

    @TearDown(Level.Trial)
    public void close() {
        broker.close();
    }

    @Benchmark
    @OperationsPerInvocation(JOBS)
    public int enqueueFetchComplete() throws InterruptedException {
        var jobs = new ArrayList<NewJob>(JOBS);
        for (int i = 0; i < JOBS; i++)
            jobs.add(NewJob.builder(JobIds.next(), "kyu.noop").queue("jmh").build());
        broker.jobsEnqueue(EnqueueRequest.of(jobs));
        var ids = new ArrayList<String>(JOBS);
        int done = 0;
        while (done < JOBS) {
            List<Job> got = broker.jobsFetch(fetch);
            var completions = new ArrayList<Completion>(got.size());
            for (Job j : got) {
                completions.add(new Completion(j.lease(), new Outcome.Succeeded("null")));
                ids.add(j.id());
            }
            broker.jobsComplete(completions);
            done += got.size();
        }
        return broker.jobsDelete(ids);
    }
}
