package dev.kyu.notify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kyu.KyuException;
import dev.kyu.job.Job;
import dev.kyu.spi.Outcome;
import dev.kyu.worker.JobListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts a Slack-compatible {@code {"text": "…"}} message to a webhook URL when a job reaches FAILED.
 * Failures are de-duplicated per task by {@link FailureDigest}. The notifier never slows or fails a job:
 * {@link #onRecorded} only puts a message on a bounded queue (dropping it, counted, when the queue is
 * full); one daemon thread sends, with connect and request timeouts, and logs its own errors.
 *
 * <pre>{@code
 * Kyu.builder().listener(WebhookNotifier.builder(URI.create(slackUrl)).build())
 * }</pre>
 */
public final class WebhookNotifier implements JobListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);

    private final URI url;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final FailureDigest digest;
    private final BlockingQueue<String> outbox;
    private final ScheduledExecutorService timer;
    private final Thread sender;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean closed;

    private WebhookNotifier(Builder b) {
        this.url = b.url;
        this.requestTimeout = b.requestTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.digest = new FailureDigest(b.clock, b.window);
        this.outbox = new ArrayBlockingQueue<>(b.queueCapacity);
        this.sender = Thread.ofPlatform().daemon().name("kyu-webhook").start(this::sendLoop);
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("kyu-webhook-timer").factory());
        long tick = Math.max(100, Math.min(5000, b.window.toMillis() / 10));
        timer.scheduleWithFixedDelay(this::flushDue, tick, tick, TimeUnit.MILLISECONDS);
    }

    public static Builder builder(URI url) {
        return new Builder(url);
    }

    @Override
    public void onRecorded(Job job, Outcome outcome, Duration runTime) {
        if (!(outcome instanceof Outcome.Dead dead) || closed) return;
        try {
            Job failed = job.toBuilder()
                    .errors(Job.appendError(job.errors(), dead.error()))
                    .state(dev.kyu.job.JobState.FAILED)
                    .build();
            digest.failed(failed).ifPresent(this::post);
        } catch (RuntimeException e) {
            log.warn("failure alert for job {} not queued: {}", job.id(), e.toString());
        }
    }

    /** Queues the summaries of windows that have closed; runs on a timer, callable by tests. */
    public void flushDue() {
        try {
            digest.flush(false).forEach(this::post);
        } catch (RuntimeException e) {
            log.warn("failure alert summary not queued: {}", e.toString());
        }
    }

    /** Messages delivered (2xx), dropped because the queue was full, and failed deliveries. */
    public long sent() {
        return sent.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public long errors() {
        return errors.get();
    }

    private void post(String text) {
        if (!outbox.offer(text)) {
            dropped.incrementAndGet();
            log.warn("failure alert dropped: {} message(s) already waiting to be sent", outbox.size());
        }
    }

    private void sendLoop() {
        while (!closed || !outbox.isEmpty()) {
            String text;
            try {
                text = outbox.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (text != null) send(text);
        }
    }

    private void send(String text) {
        String body = JsonNodeFactory.instance.objectNode().put("text", text).toString();
        try {
            var request = HttpRequest.newBuilder(url)
                    .timeout(requestTimeout)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            var response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                sent.incrementAndGet();
            } else {
                errors.incrementAndGet();
                log.warn("failure alert webhook {} answered HTTP {}", safe(url), response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            errors.incrementAndGet();
            log.warn("failure alert webhook {} failed: {}", safe(url), e.toString());
        }
    }

    /** Webhook URLs carry their secret in the path (Slack's do): log only scheme, host and port. */
    static String safe(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + "/…";
    }

    /** Sends pending summaries and waits a little for the queue to drain. */
    @Override
    public void close() {
        if (closed) return;
        digest.flush(true).forEach(this::post);
        closed = true;
        timer.shutdownNow();
        try {
            sender.join(requestTimeout.plusSeconds(1).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static final class Builder {
        private final URI url;
        private Duration window = Duration.ofMinutes(1);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int queueCapacity = 1000;
        private Clock clock = Clock.systemUTC();

        private Builder(URI url) {
            if (url == null
                    || url.getScheme() == null
                    || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                    || url.getHost() == null) {
                throw new KyuException.InvalidInput(
                        "webhook URL must be an absolute http(s) URL, was '" + (url == null ? null : safe(url)) + "'");
            }
            this.url = url;
        }

        /** The de-duplication window per task (default one minute). */
        public Builder window(Duration d) {
            if (d == null || d.isNegative() || d.isZero())
                throw new KyuException.InvalidInput("webhook window must be positive, was " + d);
            window = d;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            connectTimeout = d;
            return this;
        }

        public Builder requestTimeout(Duration d) {
            requestTimeout = d;
            return this;
        }

        public Builder queueCapacity(int n) {
            if (n < 1) throw new KyuException.InvalidInput("webhook queue capacity must be at least 1, was " + n);
            queueCapacity = n;
            return this;
        }

        public Builder clock(Clock c) {
            clock = c;
            return this;
        }

        public WebhookNotifier build() {
            return new WebhookNotifier(this);
        }
    }
}
