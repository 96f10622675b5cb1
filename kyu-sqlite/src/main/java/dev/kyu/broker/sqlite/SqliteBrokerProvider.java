package dev.kyu.broker.sqlite;

import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.BrokerProvider;
import java.util.List;

/** Opens {@code sqlite:PATH} brokers: Kyu's embedded default, one file, no server. */
public final class SqliteBrokerProvider implements BrokerProvider {
    @Override
    public List<String> prefixes() {
        return List.of(SqliteOptions.PREFIX);
    }

    @Override
    public Broker open(BrokerConfig config) {
        return SqliteBroker.open(config);
    }
}
