package dev.kyu.broker.postgres;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.BrokerProvider;
import java.util.List;

/** Opens {@link PostgresBroker}s for {@code postgresql://}, {@code postgres://} and {@code jdbc:postgresql:} URLs. */
public final class PostgresBrokerProvider implements BrokerProvider {
    @Override
    public List<String> prefixes() {
        return List.of("postgresql://", "postgres://", "jdbc:postgresql:");
    }

    @Override
    public Broker open(BrokerConfig config) {
        return new PostgresBroker(PgSettings.parse(config));
    }
}
