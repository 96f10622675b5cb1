package dev.kyu.spi;

import dev.kyu.KyuException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Opens a broker by URL through the {@link BrokerProvider}s on the class path. */
public final class Brokers {
    /** Every scheme Kyu ships an engine for, and the module that brings it. */
    private static final List<String[]> KNOWN = List.of(
            new String[] {"memory:", "kyu-core"},
            new String[] {"sqlite:", "kyu-sqlite"},
            new String[] {"redis://", "kyu-redis"},
            new String[] {"rediss://", "kyu-redis"},
            new String[] {"postgresql://", "kyu-postgres"},
            new String[] {"postgres://", "kyu-postgres"},
            new String[] {"jdbc:postgresql:", "kyu-postgres"},
            new String[] {"amqp://", "kyu-rabbitmq"},
            new String[] {"amqps://", "kyu-rabbitmq"});

    private Brokers() {}

    public static Broker open(String url) {
        return open(BrokerConfig.of(url));
    }

    public static Broker open(BrokerConfig config) {
        String url = config.url().trim();
        if (url.isEmpty())
            throw new KyuException.BrokerConfig(
                    "empty broker URL: expected memory:, sqlite:PATH, redis://HOST, postgresql://HOST/DB or amqp://HOST/VHOST?store=URL");
        for (BrokerProvider p : providers()) {
            for (String prefix : p.prefixes()) {
                if (url.regionMatches(true, 0, prefix, 0, prefix.length())) return p.open(config);
            }
        }
        for (String[] k : KNOWN) {
            if (url.regionMatches(true, 0, k[0], 0, k[0].length())) {
                throw new KyuException.BrokerConfig(
                        "broker URL " + config.redactedUrl() + " needs the " + k[1] + " module on the class path");
            }
        }
        throw new KyuException.BrokerConfig(
                "unknown broker URL scheme in '" + config.redactedUrl()
                        + "': expected memory:, sqlite:PATH, redis://HOST[:PORT][/DB], rediss://…, postgresql://HOST[:PORT]/DB or amqp://HOST/VHOST?store=URL");
    }

    private static List<BrokerProvider> providers() {
        var out = new ArrayList<BrokerProvider>();
        ServiceLoader.load(BrokerProvider.class, Brokers.class.getClassLoader()).forEach(out::add);
        return out;
    }
}
