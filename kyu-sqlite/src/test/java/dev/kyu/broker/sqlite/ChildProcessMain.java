package dev.kyu.broker.sqlite;

import dev.kyu.job.Job;
import dev.kyu.job.JobIds;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.NewJob;
import java.time.Duration;
import java.util.List;

/**
 * The other process of {@link SqliteTwoProcessesTest}: opens the file given, waits for a line on stdin,
 * fetches queue "q" until it is dry, printing each leased id, then enqueues one job on queue "late" and prints "late ID".
 */
public final class ChildProcessMain {
    public static void main(String[] args) throws Exception {
        try (var broker = Brokers.open(BrokerConfig.of("sqlite:" + args[0]))) {
            System.out.println("ready");
            System.out.flush();
            new java.io.BufferedReader(new java.io.InputStreamReader(System.in))
                    .readLine(); // "go": start with the parent
            while (true) {
                List<Job> got = broker.jobsFetch(
                        new FetchRequest("child", List.of("q"), 2, Duration.ofMinutes(5), Duration.ZERO));
                if (got.isEmpty()) break;
                for (Job j : got) System.out.println("fetched " + j.id());
            }
            String id = JobIds.next();
            broker.jobsEnqueue(EnqueueRequest.of(
                    List.of(NewJob.builder(id, "t").queue("late").build())));
            System.out.println("late " + id);
        }
    }
}
