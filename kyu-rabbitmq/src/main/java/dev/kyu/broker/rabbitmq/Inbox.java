package dev.kyu.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.kyu.spi.WakeSignal;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The tokens of one queue that RabbitMQ has pushed to this process, unacknowledged until a claim spends them: a
 * consumer with a prefetch of its own, so tokens arrive in bulk instead of one round trip each, and many are
 * acknowledged with one {@code basic.ack multiple}. A consumer RabbitMQ cancelled, or whose channel closed (its
 * tokens then go back to the queue), is dead and replaced at the next use.
 */
final class Inbox extends DefaultConsumer {
    private final ConcurrentLinkedDeque<Long> tags = new ConcurrentLinkedDeque<>();
    private final WakeSignal arrivals;
    private volatile boolean dead;

    private Inbox(Channel channel, WakeSignal arrivals) {
        super(channel);
        this.arrivals = arrivals;
    }

    /** Opens a consumer of {@code rabbitQueue} on its own channel, holding at most {@code prefetch} tokens. */
    static Inbox open(Channel channel, String rabbitQueue, int prefetch, WakeSignal arrivals) throws IOException {
        var inbox = new Inbox(channel, arrivals);
        channel.basicQos(prefetch);
        channel.basicConsume(rabbitQueue, false, inbox);
        return inbox;
    }

    @Override
    public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        tags.addLast(envelope.getDeliveryTag());
        arrivals.wake();
    }

    @Override
    public void handleCancel(String consumerTag) {
        die();
    }

    @Override
    public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
        die();
    }

    private void die() {
        dead = true;
        tags.clear();
        arrivals.wake();
    }

    boolean usable() {
        return !dead && getChannel().isOpen();
    }

    /** Tokens held now. */
    int held() {
        return tags.size();
    }

    /**
     * Spends the {@code n} oldest tokens held (fewer if fewer are held): one acknowledgement of them all. Returns
     * how many were spent; on a channel that failed, none are (RabbitMQ puts them back) and the inbox is dead.
     */
    int spend(int n) {
        long last = -1;
        int spent = 0;
        for (Long t; spent < n && (t = tags.pollFirst()) != null; spent++) last = t;
        if (spent == 0) return 0;
        try {
            getChannel().basicAck(last, true);
            return spent;
        } catch (IOException | ShutdownSignalException e) {
            die();
            return 0;
        }
    }

    void close() {
        dead = true;
        Tokens.closeQuietly(getChannel());
    }
}
