package dev.kyu.broker.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import dev.kyu.KyuException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;

/**
 * The RabbitMQ side: one connection (recovered automatically by the client), one publisher channel with
 * confirms behind a lock, and a pool of channels for taking tokens (channels are not thread-safe). A token is
 * a tiny persistent message meaning "one job of this queue is ready".
 */
final class Tokens implements AutoCloseable {
    private static final byte[] BODY = "1".getBytes(StandardCharsets.UTF_8);
    private static final long CONFIRM_TIMEOUT_MS = 10_000;
    private static final int DEAD_MAX_LENGTH = 10_000;

    private final RabbitUrl url;
    private final String redacted;
    private final Connection connection;
    private final ReentrantLock publishLock = new ReentrantLock();
    private Channel publisher;
    private final ConcurrentLinkedDeque<Channel> idle = new ConcurrentLinkedDeque<>();
    private final Set<String> declared = ConcurrentHashMap.newKeySet();

    private Tokens(RabbitUrl url, String redacted, Connection connection) {
        this.url = url;
        this.redacted = redacted;
        this.connection = connection;
    }

    /** Connects and declares the dead-letter exchange and queue; a bad host, password or vhost fails here in one line. */
    static Tokens connect(RabbitUrl url, String redacted) {
        var factory = new ConnectionFactory();
        try {
            factory.setUri(url.amqpUri());
            if (factory.isSSL()) {
                // setUri's TLS trusts every certificate: verify the server against the JVM's trust store instead
                factory.useSslProtocol(SSLContext.getDefault());
                factory.enableHostnameVerification();
            }
        } catch (Exception e) {
            throw new KyuException.BrokerConfig(
                    "amqp broker URL " + redacted + " is not a valid AMQP URI: " + RabbitErrors.scrub(e.getMessage()));
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(false); // queues are durable: nothing to redeclare
        factory.setNetworkRecoveryInterval(1000);
        factory.setConnectionTimeout(5000);
        factory.setRequestedHeartbeat(15);
        var handler = new QuietUntilOpen();
        factory.setExceptionHandler(handler);
        Connection c;
        try {
            c = factory.newConnection("kyu");
        } catch (Exception e) {
            throw RabbitErrors.atOpen(redacted, factory.getVirtualHost(), e);
        }
        handler.opened = true;
        var tokens = new Tokens(url, redacted, c);
        try {
            tokens.withAdmin(ch -> {
                ch.exchangeDeclare(url.deadName(), "fanout", true);
                // Tokens only land here when RabbitMQ drops them (a delivery limit): kept for a look, bounded.
                ch.queueDeclare(
                        url.deadName(),
                        true,
                        false,
                        false,
                        Map.of("x-queue-type", "quorum", "x-max-length", DEAD_MAX_LENGTH));
                ch.queueBind(url.deadName(), url.deadName(), "");
                return null;
            });
        } catch (RuntimeException e) {
            tokens.close();
            throw e;
        }
        return tokens;
    }

    /** Declares the token queue of {@code queue} once per process; a conflicting declaration fails in one line. */
    void declare(String queue) {
        if (!declared.contains(queue)) ready(queue);
    }

    /**
     * How many tokens of {@code queue} wait in RabbitMQ (ready, not the ones a worker holds). A full declaration,
     * not a passive one, so a queue an operator deleted is made again.
     */
    long ready(String queue) {
        long n = withAdmin(ch -> (long) ch.queueDeclare(url.queueName(queue), true, false, false, queueArgs())
                .getMessageCount());
        declared.add(queue);
        return n;
    }

    /** Drops the tokens of {@code queue} waiting in RabbitMQ (not those a consumer holds). */
    void purge(String queue) {
        declare(queue);
        withAdmin(ch -> ch.queuePurge(url.queueName(queue)));
    }

    /** Forgets that {@code queue} was declared, after a channel error on it (an operator may have deleted it). */
    void forget(String queue) {
        declared.remove(queue);
    }

    private Map<String, Object> queueArgs() {
        return Map.of("x-queue-type", "quorum", "x-dead-letter-exchange", url.deadName());
    }

    /** Publishes {@code n} tokens for {@code queue} and waits for RabbitMQ to confirm them. */
    void publish(String queue, long n) {
        if (n <= 0) return;
        declare(queue);
        publishLock.lock();
        try {
            Channel ch = null;
            try {
                ch = publisher();
                for (long i = 0; i < n; i++)
                    ch.basicPublish("", url.queueName(queue), MessageProperties.MINIMAL_PERSISTENT_BASIC, BODY);
                ch.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MS);
            } catch (IOException | TimeoutException | ShutdownSignalException e) {
                forget(queue);
                publisher = null;
                closeQuietly(ch);
                throw RabbitErrors.unavailable(redacted, "publishing tokens of queue " + queue, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                publisher = null;
                closeQuietly(ch);
                throw RabbitErrors.unavailable(redacted, "publishing tokens of queue " + queue, e);
            }
        } finally {
            publishLock.unlock();
        }
    }

    String queueName(String queue) {
        return url.queueName(queue);
    }

    /** A channel of the pool, or a new one. */
    Channel borrow() {
        Channel ch;
        while ((ch = idle.pollFirst()) != null) if (ch.isOpen()) return ch;
        try {
            Channel created = connection.createChannel();
            if (created == null) throw new IOException("no channel left on the connection");
            return created;
        } catch (IOException | ShutdownSignalException e) {
            throw RabbitErrors.unavailable(redacted, "opening a channel", e);
        }
    }

    void giveBack(Channel ch) {
        if (ch.isOpen()) idle.addFirst(ch);
    }

    /** A verb on a pooled channel; a channel closed by RabbitMQ (an error) is dropped, never pooled again. */
    <T> T withAdmin(ChannelCall<T> call) {
        Channel ch = borrow();
        try {
            T out = call.apply(ch);
            giveBack(ch);
            return out;
        } catch (IOException | ShutdownSignalException e) {
            closeQuietly(ch);
            throw RabbitErrors.onVerb(redacted, e);
        }
    }

    interface ChannelCall<T> {
        T apply(Channel ch) throws IOException;
    }

    private Channel publisher() throws IOException {
        if (publisher == null || !publisher.isOpen()) {
            publisher = connection.createChannel();
            publisher.confirmSelect();
        }
        return publisher;
    }

    static void closeQuietly(Channel ch) {
        try {
            if (ch != null && ch.isOpen()) ch.close();
        } catch (Exception ignored) {
            // closing a channel that is already going away
        }
    }

    @Override
    public void close() {
        try {
            if (connection.isOpen()) connection.close(2000);
        } catch (Exception ignored) {
            // the connection was already lost
        }
    }

    /**
     * The client's handler, silent while the first connection is made: a refused password or vhost is reported
     * once, as the one line {@link RabbitErrors#atOpen} makes, not also as the client's warnings.
     */
    private static final class QuietUntilOpen extends ForgivingExceptionHandler {
        volatile boolean opened;

        @Override
        public void handleUnexpectedConnectionDriverException(Connection conn, Throwable exception) {
            if (opened) super.handleUnexpectedConnectionDriverException(conn, exception);
        }
    }
}
