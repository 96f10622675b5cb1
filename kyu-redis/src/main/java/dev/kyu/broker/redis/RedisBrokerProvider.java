package dev.kyu.broker.redis;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.BrokerProvider;
import java.util.List;

/** Opens {@link RedisBroker}s for {@code redis://} and {@code rediss://} URLs. */
public final class RedisBrokerProvider implements BrokerProvider {
    @Override
    public List<String> prefixes() {
        return List.of("redis://", "rediss://");
    }

    @Override
    public Broker open(BrokerConfig config) {
        return RedisBroker.open(config);
    }
}
