package dev.kyu.broker.rabbitmq;

import dev.kyu.spi.Broker;
import dev.kyu.spi.Brokers;
import dev.kyu.spi.QueueInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A crash scenario's store file and prefix on the shared node, fresh per test. After the test, once its worker
 * JVMs are stopped (an extension's after-each runs after the scenario's own), it deletes the RabbitMQ queues of
 * every Kyu queue the store holds, so a run does not pile up quorum queues.
 */
final class RabbitCrashQueues implements AfterEachCallback {
    private final Path store;
    private final String prefix = RabbitTesting.freshPrefix();

    RabbitCrashQueues() {
        try {
            store = RabbitTesting.freshStore();
        } catch (Exception e) {
            throw new IllegalStateException("no store file for the crash test", e);
        }
    }

    String url() {
        return RabbitTesting.url(store, prefix);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        var queues = new HashSet<String>();
        if (Files.exists(store)) {
            try (Broker b = Brokers.open("sqlite:" + store)) {
                for (QueueInfo q : b.queuesList()) queues.add(q.queue());
            }
        }
        RabbitTesting.deleteQueues(prefix, queues);
    }
}
