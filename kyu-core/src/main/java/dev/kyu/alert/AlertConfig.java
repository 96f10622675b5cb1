package dev.kyu.alert;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An alerts file, read by {@link AlertFile}.
 *
 * @param dashboardUrl    the dashboard's base URL, for links to job pages; null for none
 * @param interval        how often the elected process evaluates the rules
 * @param digestWindow    after a job rule reported, further failures wait this long and go out as one digest
 * @param maxSingle       up to this many new failures in one pass go out one message each; more make one digest
 * @param channels        channels by name
 * @param rules           the rules, in file order
 */
public record AlertConfig(
        String dashboardUrl,
        Duration interval,
        Duration digestWindow,
        int maxSingle,
        Map<String, AlertChannel> channels,
        List<Rule> rules) {
    public AlertConfig {
        channels = Map.copyOf(channels);
        rules = List.copyOf(rules);
    }
}
