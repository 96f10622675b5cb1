package dev.kyu.broker.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.kyu.job.Job;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.ClaimRequest;
import dev.kyu.spi.EnqueueRequest;
import dev.kyu.spi.EnqueueResult;
import dev.kyu.spi.FetchRequest;
import dev.kyu.spi.ForwardingBroker;
import dev.kyu.spi.NewJob;
import dev.kyu.spi.QueueInfo;
import dev.kyu.testkit.RabbitNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Opens the engine on the test JVM's RabbitMQ node with a fresh SQLite store and a fresh prefix per broker. */
final class RabbitTesting {
    private RabbitTesting() {}

    static Path freshStore() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "conformance-dbs"));
        return dir.resolve(UUID.randomUUID() + ".db").toAbsolutePath();
    }

    static String freshPrefix() {
        return "kyut" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static String url(Path store, String prefix) {
        return url(RabbitNode.shared().url(), store, prefix);
    }

    /** The engine's URL on the node at {@code amqpUrl}, keeping each job's record in the SQLite file {@code store}. */
    static String url(String amqpUrl, Path store, String prefix) {
        return amqpUrl + "?store="
                + URLEncoder.encode("sqlite:" + store, StandardCharsets.UTF_8) + "&prefix=" + prefix
                + "&reconcile=250ms";
    }

    static Cleaned open(Clock clock) throws Exception {
        Path store = freshStore();
        String prefix = freshPrefix();
        return new Cleaned(Brokers.open(BrokerConfig.of(url(store, prefix)).withClock(clock)), store, prefix);
    }

    static java.sql.Connection openTransaction(Broker broker) throws Exception {
        var c = DriverManager.getConnection("jdbc:sqlite:" + ((Cleaned) broker).store());
        c.createStatement().execute("PRAGMA busy_timeout = 5000");
        c.setAutoCommit(false);
        return c;
    }

    static Connection rabbit() throws Exception {
        var f = new ConnectionFactory();
        f.setUri(RabbitNode.shared().url());
        return f.newConnection("kyu-test");
    }

    /**
     * The engine, noting every Kyu queue it was asked about, so that closing it also deletes the test's RabbitMQ
     * queues (a run must not pile up quorum queues).
     */
    static final class Cleaned extends ForwardingBroker {
        private final Path store;
        private final String prefix;
        private final Set<String> queues = ConcurrentHashMap.newKeySet();

        Cleaned(Broker engine, Path store, String prefix) {
            super(engine);
            this.store = store;
            this.prefix = prefix;
        }

        Path store() {
            return store;
        }

        String prefix() {
            return prefix;
        }

        RabbitBroker engine() {
            return (RabbitBroker) delegate();
        }

        @Override
        public List<EnqueueResult> jobsEnqueue(EnqueueRequest request) {
            request.jobs().forEach(j -> queues.add(j.queue()));
            return super.jobsEnqueue(request);
        }

        @Override
        public List<Job> jobsFetch(FetchRequest request) throws InterruptedException {
            queues.addAll(request.queues());
            return super.jobsFetch(request);
        }

        @Override
        public List<Job> jobsClaim(ClaimRequest request) {
            queues.addAll(request.queues());
            return super.jobsClaim(request);
        }

        @Override
        public void queuePause(String queue, boolean paused) {
            queues.add(queue);
            super.queuePause(queue, paused);
        }

        @Override
        public void close() {
            try {
                for (QueueInfo q : super.queuesList()) queues.add(q.queue());
            } catch (RuntimeException ignored) {
                // closed already
            }
            super.close();
            deleteQueues(prefix, queues);
        }
    }

    static void deleteQueues(String prefix, Set<String> queues) {
        try (Connection c = rabbit()) {
            Channel ch = c.createChannel();
            for (String q : queues) ch.queueDelete(prefix + ".q." + q);
            ch.queueDelete(prefix + ".dead");
            ch.exchangeDelete(prefix + ".dead");
        } catch (Exception e) {
            throw new IllegalStateException("could not delete the test's RabbitMQ queues", e);
        }
    }

    static NewJob.Builder job(String queue) {
        return NewJob.builder(dev.kyu.job.JobIds.next(), "t").queue(queue);
    }
}
