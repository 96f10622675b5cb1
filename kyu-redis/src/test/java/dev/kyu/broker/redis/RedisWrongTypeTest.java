package dev.kyu.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobIds;
import dev.kyu.job.JobLinks;
import dev.kyu.job.JobState;
import dev.kyu.job.UniqueScope;
import dev.kyu.spi.Completion;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.Outcome;
import dev.kyu.spi.PruneRequest;
import dev.kyu.spi.RetryRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A key of another type than Kyu writes there (foreign data, a hand-made fix gone wrong) in each place each
 * script touches: the call is refused with one line naming the key and changes nothing (every key reads
 * the same before and after), or, for fetch and maintenance, that queue is skipped and the others served.
 */
class RedisWrongTypeTest {
    @RegisterExtension
    static final RedisExtension redis = RedisExtension.single();

    private static final String ZSET = "a sorted set",
            LIST = "a list",
            HASH = "a hash",
            SET = "a set",
            STRING = "a string";

    private RedisBroker broker;

    @BeforeEach
    void open() {
        broker = RedisBroker.open(dev.kyu.spi.BrokerConfig.of(redis.freshUrl()));
    }

    @AfterEach
    void close() {
        broker.close();
    }

    // ---- producing --------------------------------------------------------------------------------

    @Test
    void aSingleEnqueueChecksEveryKeyItWrites() {
        for (String suffix : List.of("ready", "st:QUEUED", "wake")) {
            String key = plant(queueKey("q", suffix));
            refused(() -> enqueue(job("q").build()), key, expected(suffix));
            drop(key);
        }
        for (String suffix : List.of("sched", "st:SCHEDULED")) {
            String key = plant(queueKey("q", suffix));
            refused(() -> enqueue(job("q").delay(Duration.ofHours(1)).build()), key, expected(suffix));
            drop(key);
        }
        refused(() -> enqueue(job("q").build()), plant(broker.keys().queues()), SET);
        drop(broker.keys().queues());
        refused(() -> enqueue(job("q").build()), plant(broker.keys().jobQueue()), HASH);
        drop(broker.keys().jobQueue());
        var foreign = job("q").build();
        refused(() -> enqueue(foreign), plant(broker.keys().job("q", foreign.id())), HASH);
    }

    @Test
    void aBatchChecksEveryKeyOfEveryQueueAndJobBeforeItStoresAny() {
        for (String suffix : List.of("ready", "sched", "st:QUEUED", "st:SCHEDULED", "wake")) {
            String key = plant(queueKey("second", suffix));
            refused(() -> enqueue(job("first").build(), job("second").build()), key, expected(suffix));
            drop(key);
        }
        refused(
                () -> enqueue(job("first").build(), job("second").build()),
                plant(broker.keys().jobQueue()),
                HASH);
        drop(broker.keys().jobQueue());
        var foreign = job("second").build();
        String jobKey = plant(broker.keys().job("second", foreign.id()));
        refused(() -> enqueue(job("first").build(), foreign), jobKey, HASH);
        drop(jobKey);
        var unique = job("second").unique("u", UniqueScope.ACTIVE, null).build();
        String uniqueKey = broker.keys().prefix() + ":uniq:u";
        broker.link().sync().hset(uniqueKey, "x", "y");
        refused(() -> enqueue(job("first").build(), unique), uniqueKey, HASH, STRING);
    }

    // ---- working ----------------------------------------------------------------------------------

    @Test
    void aFetchSkipsAQueueWithABadKeyUntouchedAndServesTheOthers() throws Exception {
        for (String suffix : List.of("ready", "run", "st:QUEUED", "wake", "sched")) {
            broker.link().sync().flushdb();
            var waiting = job("bad").build();
            var good = job("good").build();
            enqueue(waiting, good);
            String key = plant(queueKey("bad", suffix));
            Map<String, String> before = snapshot("{bad}");
            assertThat(fetch("w", 5, "bad", "good")).extracting(Job::id).containsExactly(good.id());
            assertThat(snapshot("{bad}"))
                    .as("keys of queue bad after a fetch with %s planted", suffix)
                    .isEqualTo(before);
            // A fetch of that queue alone is refused, with the key named, and changes nothing either.
            refused(() -> fetch("w", 5, "bad"), key, expected(suffix));
            // Repaired, the queue is served again; its job was never leased.
            drop(key);
            if (!suffix.equals("ready") && !suffix.equals("st:QUEUED")) {
                Job leased = fetch("w", 5, "bad").get(0);
                assertThat(leased.id()).isEqualTo(waiting.id());
                assertThat(leased.attempt()).isEqualTo(1);
            }
        }
    }

    @Test
    void aFetchSettingACorruptJobAsideChecksTheKeysOfThatPathFirst() throws Exception {
        for (String suffix : List.of("st:FAILED", "fin:FAILED")) {
            broker.link().sync().flushdb();
            String corrupt = RedisCorruption.insert(broker, "bad");
            var good = job("good").build();
            enqueue(good);
            String key = plant(queueKey("bad", suffix));
            Map<String, String> before = snapshot("{bad}");
            assertThat(fetch("w", 5, "bad", "good")).extracting(Job::id).containsExactly(good.id());
            assertThat(snapshot("{bad}")).isEqualTo(before);
            drop(key);
            assertThat(fetch("w", 5, "bad")).isEmpty();
            assertThat(broker.jobGet(corrupt).orElseThrow().state()).isEqualTo(JobState.FAILED);
        }
    }

    @Test
    void aBlockingFetchLeavesAQueueWithABadWakeKeyOutOfItsWait() throws Exception {
        String key = plant(queueKey("bad", "wake"));
        var good = job("good").build();
        var late = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return broker.jobsFetch(new FetchRequest(
                        "w", List.of("bad", "good"), 5, Duration.ofSeconds(30), Duration.ofSeconds(20)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> blockedClients() == 1);
        enqueue(good);
        assertThat(late.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .extracting(Job::id)
                .containsExactly(good.id());
        assertThat(broker.link().sync().get(key)).isEqualTo("foreign");
    }

    @Test
    void completionsAreCheckedWholeBeforeAnyIsApplied() throws Exception {
        var other = job("other").build();
        var j = job("q").maxAttempts(3).build();
        enqueue(other, j);
        List<Job> leased = fetch("w", 2, "other", "q");
        Job first = leased.get(0), second = leased.get(1);
        var error = JobError.reason(1, "boom", "boom", Instant.now());
        Map<String, Outcome> outcomes = Map.of(
                "run",
                new Outcome.Succeeded("1"),
                "st:SUCCEEDED",
                new Outcome.Succeeded("1"),
                "fin:SUCCEEDED",
                new Outcome.Succeeded("1"),
                "stats",
                new Outcome.Succeeded("1"),
                "sched",
                new Outcome.Retry(error, Duration.ofMinutes(1)),
                "st:FAILED",
                new Outcome.Dead(error),
                "fin:FAILED",
                new Outcome.Dead(error),
                "ready",
                new Outcome.Released(Duration.ZERO));
        for (var e : outcomes.entrySet()) {
            String key = plant(queueKey("q", e.getKey()));
            // The other queue's completion comes first in the call: it is not applied either.
            refused(
                    () -> broker.jobsComplete(List.of(
                            new Completion(first.lease(), new Outcome.Succeeded("1")),
                            new Completion(second.lease(), e.getValue()))),
                    key,
                    expected(e.getKey()));
            drop(key);
            if (e.getKey().equals("run")) restoreLease(second);
        }
        assertThat(broker.jobGet(j.id()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(broker.jobsComplete(List.of(
                        new Completion(first.lease(), new Outcome.Succeeded("1")),
                        new Completion(second.lease(), new Outcome.Succeeded("2")))))
                .containsExactly(true, true);
    }

    @Test
    void releasingDependentsChecksTheKeysOfTheirQueueBeforeAnyWrite() throws Exception {
        String child = JobIds.next();
        var running = job("p").links(JobLinks.of(0, List.of(child), null)).build();
        var waiting = job("p2").links(JobLinks.of(0, List.of(child), null)).build();
        enqueue(
                running,
                waiting,
                NewJob.builder(child, "t")
                        .queue("c")
                        .args("{}")
                        .links(JobLinks.of(2, List.of(), null))
                        .build());
        Job leased = fetch("w", 1, "p").get(0);
        var done = List.of(new Completion(leased.lease(), new Outcome.Succeeded("1")));
        for (String suffix : List.of("ready", "st:BLOCKED", "st:QUEUED", "wake")) {
            String key = plant(queueKey("c", suffix));
            refused(() -> broker.jobsComplete(done), key, expected(suffix));
            refused(() -> broker.jobsCancel(List.of(waiting.id())), key, expected(suffix));
            refused(() -> broker.jobsDelete(List.of(waiting.id())), key, expected(suffix));
            refused(() -> broker.queuePurge("p2"), key, expected(suffix));
            drop(key);
        }
        String blocked = plant(queueKey("c", "st:BLOCKED"));
        refused(() -> enqueue(job("c").links(JobLinks.of(1, List.of(), null)).build()), blocked, ZSET);
        drop(blocked);
        broker.link().sync().zadd(blocked, 0, child);
        assertThat(broker.jobsComplete(done)).containsExactly(true);
        assertThat(broker.jobGet(child).orElseThrow().links().waitsFor()).isEqualTo(1);
        assertThat(broker.jobsDelete(List.of(waiting.id()))).isEqualTo(1);
        assertThat(broker.jobGet(child).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aHeartbeatIsCheckedWholeBeforeAnyLeaseIsExtended() throws Exception {
        enqueue(job("other").build(), job("q").build());
        List<Job> leased = fetch("w", 2, "other", "q");
        String key = plant(queueKey("q", "run"));
        refused(
                () -> broker.leasesExtend(
                        new LeaseExtension("w", leased.stream().map(Job::lease).toList(), Duration.ofMinutes(5))),
                key,
                ZSET);
    }

    // ---- maintenance ------------------------------------------------------------------------------

    @Test
    void rescueSkipsAQueueWithABadKeyAndRescuesTheOthers() throws Exception {
        var bad = job("bad").build();
        var good = job("good").build();
        enqueue(bad, good);
        broker.jobsFetch(new FetchRequest("w", List.of("bad", "good"), 2, Duration.ofMillis(20), Duration.ZERO));
        plant(queueKey("bad", "st:FAILED"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> broker.now()
                        .isAfter(broker.jobGet(good.id()).orElseThrow().leaseExpiresAt()));
        Map<String, String> before = snapshot("{bad}");
        assertThat(broker.leasesRescueExpired(10).failed()).containsExactly(good.id());
        assertThat(snapshot("{bad}")).isEqualTo(before);
        drop(queueKey("bad", "st:FAILED"));
        assertThat(broker.leasesRescueExpired(10).failed()).containsExactly(bad.id());
    }

    @Test
    void promotionSkipsAQueueWithABadKeyAndPromotesTheOthers() throws Exception {
        var bad = job("bad").delay(Duration.ofMillis(20)).build();
        var good = job("good").delay(Duration.ofMillis(20)).build();
        enqueue(bad, good);
        plant(queueKey("bad", "ready"));
        Instant due = broker.now().plusMillis(50);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.now().isAfter(due));
        Map<String, String> before = snapshot("{bad}");
        assertThat(broker.jobsPromoteDue(10)).isEqualTo(1);
        assertThat(broker.jobGet(good.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
        assertThat(snapshot("{bad}")).isEqualTo(before);
        drop(queueKey("bad", "ready"));
        assertThat(broker.jobsPromoteDue(10)).isEqualTo(1);
    }

    @Test
    void pruningSkipsAQueueWithABadKeyAndPrunesTheOthers() throws Exception {
        enqueue(job("bad").build(), job("good").build());
        for (Job r : fetch("w", 2, "bad", "good"))
            broker.jobsComplete(List.of(new Completion(r.lease(), new Outcome.Succeeded("1"))));
        plant(queueKey("bad", "st:SUCCEEDED"));
        Map<String, String> before = snapshot("{bad}");
        var prune = new PruneRequest(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(5), Duration.ofMinutes(5), 100);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.jobsPrune(prune) == 1);
        assertThat(snapshot("{bad}")).isEqualTo(before);
    }

    // ---- control and queries ----------------------------------------------------------------------

    @Test
    void controlVerbsAreRefusedWholeBeforeTheyWrite() throws Exception {
        var waiting = job("q").build();
        enqueue(job("other").build(), waiting);
        for (String suffix : List.of("ready", "sched", "run", "st:QUEUED", "st:CANCELLED", "fin:CANCELLED")) {
            String key = plant(queueKey("q", suffix));
            refused(() -> broker.jobsCancel(List.of(waiting.id())), key, expected(suffix));
            drop(key);
        }
        for (String suffix : List.of("st:FAILED", "fin:SUCCEEDED", "run")) {
            String key = plant(queueKey("q", suffix));
            refused(() -> broker.jobsDelete(List.of(waiting.id())), key, expected(suffix));
            refused(() -> broker.queuePurge("q"), key, expected(suffix));
            drop(key);
        }
        Map<String, String> index = broker.link().sync().hgetall(broker.keys().jobQueue());
        refused(
                () -> broker.jobsDelete(List.of(waiting.id())),
                plant(broker.keys().jobQueue()),
                HASH);
        drop(broker.keys().jobQueue());
        broker.link().sync().hset(broker.keys().jobQueue(), index);
        // A failed job to retry.
        var failed = job("f").build();
        enqueue(failed);
        Job r = fetch("w", 1, "f").get(0);
        broker.jobsComplete(List.of(
                new Completion(r.lease(), new Outcome.Dead(JobError.reason(1, "boom", "boom", Instant.now())))));
        for (String suffix : List.of("ready", "wake", "st:QUEUED", "fin:FAILED")) {
            String key = plant(queueKey("f", suffix));
            refused(() -> broker.jobsRetry(RetryRequest.ids(List.of(failed.id()))), key, expected(suffix));
            refused(() -> broker.jobsRetry(RetryRequest.allFailed("f")), key, expected(suffix));
            drop(key);
        }
        String wake = plant(queueKey("q", "wake"));
        broker.queuePause("q", true);
        refused(() -> broker.queuePause("q", false), wake, LIST);
        drop(wake);
        broker.queuePause("q", false);
        String paused = broker.keys().paused("q");
        broker.link().sync().hset(paused, "x", "y");
        refused(() -> broker.queuePause("q", true), paused, HASH, STRING);
        assertThat(broker.jobGet(waiting.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void queriesNameTheKeyTheyCannotRead() {
        var j = job("q").build();
        enqueue(j);
        String run = plant(queueKey("q", "run"));
        refused(() -> broker.jobGet(j.id()), run, ZSET);
        refused(() -> broker.jobsList(JobQuery.all(10)), run, ZSET);
        refused(() -> broker.queueCounts("q"), run, ZSET);
        drop(run);
        refused(() -> broker.statsHistory(null, "q"), plant(queueKey("q", "stats")), HASH);
        refused(() -> broker.queuesList(), plant(broker.keys().queues()), SET);
    }

    @Test
    void listingsOverEveryQueueLeaveOutAQueueWithForeignDataAndShowTheOthers() {
        var good = job("q").build();
        var other = job("q2").build();
        enqueue(good, other);
        String queued = queueKey("q2", "st:QUEUED");
        broker.link().sync().del(queued);
        broker.link().sync().hset(queued, "x", "y"); // a hash where a sorted set is kept

        assertThat(broker.queuesList()).extracting(dev.kyu.spi.QueueInfo::queue).containsExactly("q");
        assertThat(broker.jobsList(JobQuery.all(10))).extracting(Job::id).containsExactly(good.id());
        // Asked for that queue alone, the call is refused, naming the key.
        refused(() -> broker.queueCounts("q2"), queued, HASH, ZSET);
        refused(() -> broker.jobsList(JobQuery.all(10).withQueue("q2")), queued, HASH, ZSET);
    }

    @Test
    void theRegistryKeyValueStoreAndLocksNameTheKeyTheyCannotUse() {
        refused(() -> broker.kvPut("k", "v"), plant(broker.keys().kv()), HASH);
        refused(() -> broker.kvList(null), broker.keys().kv(), HASH);
        refused(() -> broker.kvCompareAndSet("k", null, "v"), broker.keys().kv(), HASH);
        refused(
                () -> broker.kvCompareAndSet("k", "foreign", null),
                broker.keys().kv(),
                HASH);
        refused(() -> broker.workersList(), plant(broker.keys().workers()), HASH);
        String lock = broker.keys().lock("l");
        broker.link().sync().hset(lock, "x", "y");
        refused(() -> broker.lockTry("l", "me", Duration.ofMinutes(1)), lock, HASH, STRING);
        refused(() -> broker.lockRelease("l", "me"), lock, HASH, STRING);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static NewJob.Builder job(String queue) {
        return NewJob.builder(JobIds.next(), "t").queue(queue).args("{}");
    }

    private List<EnqueueResult> enqueue(NewJob... jobs) {
        return broker.jobsEnqueue(EnqueueRequest.of(List.of(jobs)));
    }

    private List<Job> fetch(String worker, int limit, String... queues) throws InterruptedException {
        return broker.jobsFetch(
                new FetchRequest(worker, List.of(queues), limit, Duration.ofSeconds(30), Duration.ZERO));
    }

    /** Runs {@code call}, which must fail with one line naming {@code key}, and leave every key as it was. */
    private void refused(ThrowingCallable call, String key, String expected) {
        refused(call, key, STRING, expected);
    }

    private void refused(ThrowingCallable call, String key, String held, String expected) {
        Map<String, String> before = snapshot("");
        assertThatThrownBy(call)
                .isInstanceOf(KyuException.class)
                .hasMessageContaining("Redis key " + key + " holds " + held + ", expected " + expected)
                .hasMessageNotContaining("\n")
                .hasMessageNotContaining("script:");
        assertThat(snapshot("")).as("every key after a call refused on %s", key).isEqualTo(before);
    }

    private String queueKey(String queue, String suffix) {
        return broker.keys().queue(queue, suffix);
    }

    /** Puts a string where Kyu keeps another type, replacing what was there. */
    private String plant(String key) {
        broker.link().sync().del(key);
        broker.link().sync().set(key, "foreign");
        return key;
    }

    private void drop(String key) {
        broker.link().sync().del(key);
    }

    private static String expected(String suffix) {
        return suffix.equals("wake") ? LIST : suffix.equals("stats") ? HASH : ZSET;
    }

    /** The lease of {@code job} back in 'run', where planting a string in its place dropped it. */
    private void restoreLease(Job job) {
        broker.link()
                .sync()
                .zadd(queueKey(job.queue(), "run"), job.leaseExpiresAt().toEpochMilli(), job.id());
    }

    /** Every key whose name contains {@code part}, with its type and contents, as text to compare. */
    private Map<String, String> snapshot(String part) {
        var sync = broker.link().sync();
        var out = new TreeMap<String, String>();
        for (String key : sync.keys("*")) {
            if (!key.contains(part)) continue;
            String type = sync.type(key);
            Object value = switch (type) {
                case "string" -> sync.get(key);
                case "hash" -> new TreeMap<>(sync.hgetall(key));
                case "zset" -> sync.zrangeWithScores(key, 0, -1);
                case "list" -> sync.lrange(key, 0, -1);
                case "set" -> new java.util.TreeSet<>(sync.smembers(key));
                default -> type;
            };
            out.put(key, type + " " + value);
        }
        return out;
    }

    private long blockedClients() {
        return broker.link()
                .sync()
                .info("clients")
                .lines()
                .filter(l -> l.startsWith("blocked_clients:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(':') + 1).trim()))
                .sum();
    }
}
