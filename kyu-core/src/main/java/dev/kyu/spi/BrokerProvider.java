package dev.kyu.spi;

import java.util.List;

/**
 * Opens brokers for the URL schemes it knows. Engines register one through
 * {@code META-INF/services/dev.kyu.spi.BrokerProvider}.
 */
public interface BrokerProvider {
    /** URL prefixes this provider opens, e.g. {@code "redis://", "rediss://"}. */
    List<String> prefixes();

    /** Opens and checks a broker: a bad URL, unreachable server or wrong password fails here with one clear line. */
    Broker open(BrokerConfig config);
}
