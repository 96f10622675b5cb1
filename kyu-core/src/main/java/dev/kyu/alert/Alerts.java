package dev.kyu.alert;

import dev.kyu.Causes;
import dev.kyu.Kyu;
import dev.kyu.job.Durations;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import dev.kyu.job.JobState;
import dev.kyu.schedule.ScheduleAdmin;
import dev.kyu.schedule.ScheduleInfo;
import dev.kyu.spi.Broker;
import dev.kyu.spi.JobQuery;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.StatsBucket;
import dev.kyu.spi.WorkerInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates alert rules against the broker's state and sends what they find to their channels. Any number
 * of processes may run it (the dashboard, {@code kyu beat}, workers with {@code --alerts}); each pass, only
 * the holder of the broker lock {@value #LOCK} evaluates, and what it has reported is kept in the broker's
 * key-value store, so a failure is reported once whichever process stored it, a lease rescue included, and
 * a new leader carries on where the old one stopped.
 * <ul>
 *   <li>Job rules read FAILED jobs past a cursor (finish time, then id) kept per rule. A pass with up to
 *       {@code maxSingle} new failures sends one message each; more make one digest. After a report the
 *       rule holds for {@code digestWindow}: failures meanwhile wait in the broker and go out together when
 *       it ends, so a storm sends a first message and one digest, not one per job.</li>
 *   <li>Condition rules send FIRING when a condition starts to hold and RESOLVED when it clears, once each;
 *       what is firing is kept per rule and key (a queue, a schedule).</li>
 * </ul>
 * Sending runs on one thread per channel: a slow or failing channel (logged as a warning) delays neither
 * the others nor any job. Reports are at most once: a leader that stalls past the lock's lease could let a
 * second one report the same failures, and a process killed between its pass and the send loses that send.
 */
public final class Alerts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Alerts.class);
    public static final String LOCK = "kyu:alerts:leader";
    static final String KV = "kyu:alerts:";
    /** Jobs finished this recently are read on the next pass: a completion committed late must not fall behind the cursor. */
    private static final Duration SETTLE = Duration.ofSeconds(2);

    private static final int PAGE = 1000;
    private static final int MAX_SCAN = 10_000;

    private final Broker broker;
    private final ScheduleAdmin schedules;
    private final AlertConfig config;
    private final Clock clock;
    private final String owner;
    private final Map<String, ExecutorService> senders = new LinkedHashMap<>();
    private ScheduledExecutorService timer;
    private volatile boolean closed;

    private Alerts(Broker broker, ScheduleAdmin schedules, AlertConfig config, Clock clock) {
        this.broker = broker;
        this.schedules = schedules;
        this.config = config;
        this.clock = clock;
        this.owner = HostNameOwner.get() + "-" + UUID.randomUUID().toString().substring(0, 8);
        for (String name : config.channels().keySet()) {
            senders.put(
                    name,
                    Executors.newSingleThreadExecutor(Thread.ofPlatform()
                            .daemon()
                            .name("kyu-alert-" + name)
                            .factory()));
        }
    }

    /** Alerts on {@code kyu}'s broker, judged by the broker's clock; call {@link #start()} to evaluate on a timer. */
    public static Alerts of(Kyu kyu, AlertConfig config) {
        return of(kyu, config, null);
    }

    /** With the clock windows, ages and heartbeats are judged by (null: the broker's). */
    public static Alerts of(Kyu kyu, AlertConfig config, Clock clock) {
        Clock c = clock != null ? clock : brokerClock(kyu.broker());
        return new Alerts(kyu.broker(), new ScheduleAdmin(kyu.broker(), c, kyu.tasks()), config, c);
    }

    /** Checks each channel once in the background (a failed SMTP login is a logged warning) and evaluates every interval. */
    public synchronized Alerts start() {
        if (timer != null) throw new IllegalStateException("alerts already started");
        config.channels()
                .values()
                .forEach(ch -> sender(ch.name()).execute(() -> {
                    try {
                        ch.check();
                    } catch (Exception e) {
                        log.warn(
                                "alert channel {} is not usable now, alerts to it may be lost: {}",
                                ch,
                                Causes.oneLine(e));
                    }
                }));
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("kyu-alerts").factory());
        long every = config.interval().toMillis();
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        check();
                    } catch (RuntimeException e) {
                        log.warn("alert pass failed: {}", Causes.oneLine(e));
                    }
                },
                0,
                every,
                TimeUnit.MILLISECONDS);
        log.info(
                "alerts: {} rule(s) to {} channel(s), evaluated every {} by one elected process",
                config.rules().size(),
                config.channels().size(),
                Durations.format(config.interval()));
        return this;
    }

    /**
     * One pass: when this process holds (or takes) the alerts lock, evaluates every rule and queues its
     * messages. Returns false when another process leads. A rule that fails to evaluate is logged and
     * skipped; the others still run.
     */
    public boolean check() {
        if (closed) return false;
        Duration lease = config.interval().multipliedBy(3);
        if (!broker.lockTry(LOCK, owner, lease.compareTo(Duration.ofSeconds(3)) < 0 ? Duration.ofSeconds(3) : lease))
            return false;
        var pass = new Pass();
        for (Rule r : config.rules()) {
            try {
                switch (r) {
                    case Rule.JobFailed jf -> jobs(jf);
                    default -> conditions(r, pass);
                }
            } catch (RuntimeException e) {
                log.warn("alert rule {} could not be evaluated: {}", r.name(), Causes.oneLine(e));
            }
        }
        return true;
    }

    // ---- job rules ------------------------------------------------------------------------------------

    private void jobs(Rule.JobFailed rule) {
        String cursorKey = KV + "cursor:" + rule.name();
        String holdKey = KV + "hold:" + rule.name();
        Instant now = clock.instant();
        Optional<Instant> hold = broker.kvGet(holdKey).map(Instant::parse);
        if (hold.isPresent() && now.isBefore(hold.get())) return;
        Optional<Cursor> cursor = broker.kvGet(cursorKey).map(Cursor::parse);
        if (cursor.isEmpty()) {
            // A new rule reports failures from now on, not the whole dead-letter store.
            broker.kvPut(cursorKey, new Cursor(broker.now().minus(SETTLE), "").toString());
            return;
        }
        Instant upTo = broker.now().minus(SETTLE);
        List<Job> fresh = failedSince(rule, cursor.get(), upTo);
        if (fresh.isEmpty()) {
            if (hold.isPresent()) broker.kvDelete(holdKey);
            return;
        }
        Job last = fresh.get(fresh.size() - 1);
        broker.kvPut(cursorKey, new Cursor(last.finishedAt(), last.id()).toString());
        broker.kvPut(holdKey, now.plus(config.digestWindow()).toString());
        if (fresh.size() <= config.maxSingle()) {
            for (Job j : fresh) send(rule, failedMessage(rule, j));
        } else {
            send(rule, digest(rule, fresh));
        }
    }

    private List<Job> failedSince(Rule.JobFailed rule, Cursor cursor, Instant upTo) {
        String queue = rule.queues().size() == 1 ? rule.queues().iterator().next() : null;
        String task = rule.tasks().size() == 1 ? rule.tasks().iterator().next() : null;
        List<Job> out = new ArrayList<>();
        // Paged by cursor: each page costs what the first does, and a job failing meanwhile cannot shift one
        // already read into the next page.
        JobQuery q = new JobQuery(JobState.FAILED, queue, task, null, PAGE, 0);
        for (int read = 0; q != null && read < MAX_SCAN; ) {
            List<Job> page = broker.jobsList(q);
            read += page.size();
            for (Job j : page) {
                if (j.finishedAt() == null || j.finishedAt().isAfter(upTo) || !cursor.before(j)) continue;
                if (!rule.queues().isEmpty() && !rule.queues().contains(j.queue())) continue;
                if (!rule.tasks().isEmpty() && !rule.tasks().contains(j.task())) continue;
                out.add(j);
            }
            q = q.next(page);
        }
        out.sort(Comparator.comparing(Job::finishedAt).thenComparing(Job::id));
        return out;
    }

    /** Where a job rule has read up to: the finish time and id of the last job it reported. */
    record Cursor(Instant at, String id) {
        static Cursor parse(String s) {
            int sp = s.indexOf(' ');
            return sp < 0
                    ? new Cursor(Instant.parse(s), "")
                    : new Cursor(Instant.parse(s.substring(0, sp)), s.substring(sp + 1));
        }

        boolean before(Job j) {
            int c = j.finishedAt().compareTo(at);
            return c > 0 || (c == 0 && j.id().compareTo(id) > 0);
        }

        @Override
        public String toString() {
            return at + (id.isEmpty() ? "" : " " + id);
        }
    }

    private AlertMessage failedMessage(Rule rule, Job j) {
        JobError e = j.lastError();
        String why = e == null
                ? ""
                : "\n" + e.type() + (e.message() == null || e.message().isEmpty() ? "" : ": " + firstLine(e.message()));
        String text = "Job " + j.id() + " of task " + j.task() + " on queue " + j.queue() + " FAILED after "
                + j.attempt() + " of " + j.maxAttempts() + " attempt(s)" + why;
        return new AlertMessage(
                AlertMessage.Kind.JOB_FAILED,
                rule.name(),
                j.id(),
                "[kyu] job failed: " + j.task() + " on " + j.queue(),
                text,
                link("/jobs/" + j.id()),
                1,
                List.of(j),
                clock.instant());
    }

    private AlertMessage digest(Rule rule, List<Job> jobs) {
        Map<String, Long> byTask = jobs.stream()
                .collect(Collectors.groupingBy(
                        j -> j.task() + " on " + j.queue(), LinkedHashMap::new, Collectors.counting()));
        var text = new StringBuilder(jobs.size() + " jobs FAILED since the last report:");
        byTask.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(en ->
                        text.append("\n  ").append(en.getValue()).append(" × ").append(en.getKey()));
        Job latest = jobs.get(jobs.size() - 1);
        JobError e = latest.lastError();
        text.append("\nlatest: ").append(latest.id());
        if (e != null)
            text.append(": ")
                    .append(e.type())
                    .append(e.message() == null || e.message().isEmpty() ? "" : ": " + firstLine(e.message()));
        List<Job> examples = jobs.subList(Math.max(0, jobs.size() - 3), jobs.size());
        return new AlertMessage(
                AlertMessage.Kind.DIGEST,
                rule.name(),
                rule.name(),
                "[kyu] " + jobs.size() + " jobs failed (" + rule.name() + ")",
                text.toString(),
                link("/jobs?state=FAILED"),
                jobs.size(),
                examples,
                clock.instant());
    }

    // ---- condition rules ----------------------------------------------------------------------------

    /** What one pass read from the broker, shared by the rules that need it. */
    private final class Pass {
        private List<QueueInfo> queues;
        private List<WorkerInfo> workers;
        private List<ScheduleInfo> scheduleList;

        List<QueueInfo> queues() {
            if (queues == null) queues = broker.queuesList();
            return queues;
        }

        List<WorkerInfo> workers() {
            if (workers == null) workers = broker.workersList();
            return workers;
        }

        List<ScheduleInfo> schedules() {
            if (scheduleList == null) scheduleList = schedules.list();
            return scheduleList;
        }
    }

    /** One key of a condition rule: whether it holds now, and the words for it. */
    private record Finding(String key, boolean holds, String text) {}

    private void conditions(Rule rule, Pass pass) {
        List<Finding> findings = switch (rule) {
            case Rule.QueueDepth r ->
                queues(pass, r.queue()).stream()
                        .map(q -> {
                            long n = q.count(JobState.QUEUED);
                            return new Finding(
                                    q.queue(),
                                    n > r.above(),
                                    "queue " + q.queue() + " has " + n + " job(s) waiting (limit " + r.above() + ")");
                        })
                        .toList();
            case Rule.OldestJobAge r ->
                queues(pass, r.queue()).stream()
                        .map(q -> {
                            Duration age = q.oldestQueuedAt() == null
                                    ? Duration.ZERO
                                    : Duration.between(q.oldestQueuedAt(), clock.instant());
                            return new Finding(
                                    q.queue(),
                                    age.compareTo(r.above()) > 0,
                                    "the oldest job waiting on queue " + q.queue() + " has waited "
                                            + Durations.format(age.isNegative() ? Duration.ZERO : age.withNanos(0))
                                            + " (limit " + Durations.format(r.above()) + ")");
                        })
                        .toList();
            case Rule.NoWorker r -> {
                Instant freshSince = clock.instant().minus(r.staleAfter());
                long live = pass.workers().stream()
                        .filter(w -> w.queues().contains(r.queue()))
                        .filter(w -> w.heartbeatAt() != null && w.heartbeatAt().isAfter(freshSince))
                        .count();
                yield List.of(new Finding(
                        r.queue(),
                        live == 0,
                        live == 0
                                ? "no live worker reads queue " + r.queue()
                                : live + " live worker(s) read queue " + r.queue()));
            }
            case Rule.FailureRate r -> failureRates(r);
            case Rule.ScheduleMissed r -> missedSchedules(r, pass);
            case Rule.JobFailed r -> List.of();
        };
        String prefix = KV + "firing:" + rule.name() + ":";
        Map<String, String> firing = broker.kvList(prefix);
        Set<String> seen = new HashSet<>();
        for (Finding f : findings) {
            String key = prefix + f.key();
            seen.add(key);
            if (f.holds() && !firing.containsKey(key)) {
                broker.kvPut(key, clock.instant().toString());
                send(rule, condition(rule, AlertMessage.Kind.FIRING, f));
            } else if (!f.holds() && firing.containsKey(key)) {
                broker.kvDelete(key);
                send(rule, condition(rule, AlertMessage.Kind.RESOLVED, f));
            }
        }
        for (String key : firing.keySet()) {
            if (seen.contains(key)) continue;
            // what it was about is gone (a queue purged away, a schedule deleted): the condition no longer holds
            broker.kvDelete(key);
            send(
                    rule,
                    condition(
                            rule,
                            AlertMessage.Kind.RESOLVED,
                            new Finding(
                                    key.substring(prefix.length()),
                                    false,
                                    key.substring(prefix.length()) + " is gone")));
        }
    }

    private List<QueueInfo> queues(Pass pass, String queue) {
        if (queue == null) return pass.queues();
        return List.of(pass.queues().stream()
                .filter(q -> q.queue().equals(queue))
                .findFirst()
                .orElseGet(() -> new QueueInfo(queue, false, null, null)));
    }

    private List<Finding> failureRates(Rule.FailureRate r) {
        if (r.task() != null) return List.of(taskFailureRate(r));
        List<StatsBucket> buckets = broker.statsHistory(clock.instant().minus(r.window()), r.queue());
        Map<String, long[]> byQueue = new LinkedHashMap<>();
        if (r.queue() != null) byQueue.put(r.queue(), new long[2]);
        for (StatsBucket b : buckets) {
            long[] t = byQueue.computeIfAbsent(b.queue(), q -> new long[2]);
            t[0] += b.failed() + b.retried();
            t[1] += b.succeeded() + b.failed() + b.retried();
        }
        List<Finding> out = new ArrayList<>();
        byQueue.forEach((q, t) -> {
            double pct = t[1] == 0 ? 0 : 100.0 * t[0] / t[1];
            boolean holds = t[1] >= r.minAttempts() && pct > r.percent();
            out.add(new Finding(
                    q,
                    holds,
                    String.format(
                            java.util.Locale.ROOT,
                            "%.1f%% of attempts on queue %s failed in the last %s (%d of %d; limit %s%%)",
                            pct,
                            q,
                            Durations.format(r.window()),
                            t[0],
                            t[1],
                            trim(r.percent()))));
        });
        return out;
    }

    /** The per-task form: the broker counts per queue only, so the task's jobs are read (see {@link TaskAttempts}). */
    private Finding taskFailureRate(Rule.FailureRate r) {
        TaskAttempts.Count c =
                TaskAttempts.since(broker, r.task(), r.queue(), clock.instant().minus(r.window()));
        double pct = c.attempts() == 0 ? 0 : 100.0 * c.failed() / c.attempts();
        boolean holds = c.attempts() >= r.minAttempts() && pct > r.percent();
        String text = String.format(
                java.util.Locale.ROOT,
                "%.1f%% of attempts of task %s%s failed in the last %s (%d of %d; limit %s%%)",
                pct,
                r.task(),
                r.queue() == null ? "" : " on queue " + r.queue(),
                Durations.format(r.window()),
                c.failed(),
                c.attempts(),
                trim(r.percent()));
        if (c.truncated()) text += "; counted over the newest " + c.jobsRead() + " jobs read, the bound of one pass";
        return new Finding(r.task(), holds, text);
    }

    private List<Finding> missedSchedules(Rule.ScheduleMissed r, Pass pass) {
        String prefix = KV + "expect:" + r.name() + ":";
        Instant now = clock.instant();
        List<Finding> out = new ArrayList<>();
        for (ScheduleInfo s : pass.schedules()) {
            if (r.schedule() != null && !r.schedule().equals(s.name())) continue;
            String key = prefix + s.name();
            if (s.paused() || s.problem() != null || s.nextFireAt() == null) {
                broker.kvDelete(key);
                out.add(new Finding(
                        s.name(), false, "schedule " + s.name() + " is " + (s.paused() ? "paused" : "not running")));
                continue;
            }
            // The tick this schedule owes: the next fire seen at an earlier pass, until a fire at or after it is
            // recorded.
            Optional<Instant> expected = broker.kvGet(key).map(Instant::parse);
            if (expected.isEmpty() || (s.lastFireAt() != null && !s.lastFireAt().isBefore(expected.get()))) {
                broker.kvPut(key, s.nextFireAt().toString());
                out.add(new Finding(s.name(), false, "schedule " + s.name() + " fired at " + s.lastFireAt()));
                continue;
            }
            boolean late = now.isAfter(expected.get().plus(r.grace()));
            out.add(new Finding(
                    s.name(),
                    late,
                    "schedule " + s.name() + " (" + s.trigger() + ") was due at " + expected.get()
                            + (late ? " and has not fired" : "")));
        }
        return out;
    }

    private AlertMessage condition(Rule rule, AlertMessage.Kind kind, Finding f) {
        String page = switch (rule) {
            case Rule.NoWorker r -> "/workers";
            case Rule.ScheduleMissed r -> "/schedules";
            case Rule.FailureRate r
            when r.task() != null ->
                "/jobs?state=FAILED&task="
                        + java.net.URLEncoder.encode(r.task(), java.nio.charset.StandardCharsets.UTF_8);
            default -> "/queues";
        };
        String subject = "[kyu] " + kind.name() + " " + rule.name() + ": " + f.key();
        String text = (kind == AlertMessage.Kind.RESOLVED ? "Resolved: " : "") + f.text();
        return new AlertMessage(kind, rule.name(), f.key(), subject, text, link(page), 0, List.of(), clock.instant());
    }

    // ---- sending ------------------------------------------------------------------------------------

    private void send(Rule rule, AlertMessage m) {
        for (String name : rule.channels()) {
            AlertChannel ch = config.channels().get(name);
            sender(name).execute(() -> {
                try {
                    ch.send(m);
                } catch (Exception e) {
                    log.warn("alert '{}' to {} failed: {}", m.subject(), ch, Causes.oneLine(e));
                }
            });
        }
    }

    private ExecutorService sender(String channel) {
        return senders.get(channel);
    }

    private String link(String path) {
        return config.dashboardUrl() == null ? null : config.dashboardUrl() + path;
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    /** Stops evaluating, gives up leadership and lets queued messages go out (a few seconds at most). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (timer != null) timer.shutdownNow();
        try {
            broker.lockRelease(LOCK, owner);
        } catch (RuntimeException e) {
            log.debug("could not release the alerts lock: {}", e.getMessage());
        }
        for (ExecutorService s : senders.values()) s.shutdown();
        try {
            for (ExecutorService s : senders.values()) s.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        config.channels().values().forEach(AlertChannel::close);
    }

    private static Clock brokerClock(Broker broker) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return broker.now();
            }
        };
    }

    /** The host name for the lock's owner, so an operator can tell which process leads. */
    private static final class HostNameOwner {
        static String get() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName() + "-"
                        + ProcessHandle.current().pid();
            } catch (java.net.UnknownHostException e) {
                return "host-" + ProcessHandle.current().pid();
            }
        }
    }
}
