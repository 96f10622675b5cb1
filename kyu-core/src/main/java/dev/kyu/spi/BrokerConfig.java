package dev.kyu.spi;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * How to open a broker.
 *
 * @param url     the broker URL ({@code memory:}, {@code sqlite:PATH}, {@code redis://…}, {@code postgresql://…})
 * @param clock   the clock for engines with {@link Capability#INJECTABLE_CLOCK}; others judge time by their server
 * @param options engine-specific settings (documented per engine); unknown keys are refused by the engine
 */
public record BrokerConfig(String url, Clock clock, Map<String, String> options) {
    public BrokerConfig {
        Objects.requireNonNull(url, "url");
        clock = clock == null ? Clock.systemUTC() : clock;
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    public static BrokerConfig of(String url) {
        return new BrokerConfig(url, Clock.systemUTC(), Map.of());
    }

    public BrokerConfig withClock(Clock c) {
        return new BrokerConfig(url, c, options);
    }

    /** The URL with any password replaced by {@code ***}, for logs and messages. */
    public String redactedUrl() {
        return redact(url);
    }

    public static String redact(String url) {
        return url.replaceAll("(://[^:/@]*:)[^@/]*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
