package dev.kyu.broker.rabbitmq;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.BrokerProvider;
import java.util.List;

/** Opens {@code amqp://} and {@code amqps://} URLs: RabbitMQ carries the dispatch, the store named by {@code ?store=} the records. */
public final class RabbitBrokerProvider implements BrokerProvider {
    @Override
    public List<String> prefixes() {
        return List.of("amqp://", "amqps://");
    }

    @Override
    public Broker open(BrokerConfig config) {
        return RabbitBroker.open(config);
    }
}
