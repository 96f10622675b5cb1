package dev.kyu.broker.memory;

import dev.kyu.KyuException;
import dev.kyu.spi.Broker;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.BrokerProvider;
import java.util.List;

/** Opens {@code memory:} and {@code memory:NAME} brokers; see {@link MemoryBroker} for what a name shares. */
public final class MemoryBrokerProvider implements BrokerProvider {
    private static final String PREFIX = "memory:";

    @Override
    public List<String> prefixes() {
        return List.of(PREFIX);
    }

    @Override
    public Broker open(BrokerConfig config) {
        String url = config.url().trim();
        if (!url.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw new KyuException.BrokerConfig("not a memory broker URL: '" + config.redactedUrl() + "'");
        }
        if (!config.options().isEmpty()) {
            throw new KyuException.BrokerConfig("the memory: engine takes no options, got "
                    + config.options().keySet());
        }
        String name = url.substring(PREFIX.length()).trim();
        if (!name.matches("[A-Za-z0-9._-]*")) {
            throw new KyuException.BrokerConfig("bad memory store name " + dev.kyu.codec.Printable.quoted(name)
                    + ": use letters, digits, '.', '_' or '-'");
        }
        return MemoryStores.open(name, config.clock());
    }
}
