package dev.kyu.broker.rabbitmq;

import dev.kyu.KyuException;
import dev.kyu.spi.BrokerConfig;
import dev.kyu.spi.UrlText;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * An {@code amqp://user:pass@host:port/vhost?store=…} URL taken apart.
 *
 * @param amqpUri   the URL RabbitMQ's client connects to (no query)
 * @param storeUrl  the decoded URL of the store that keeps every job's record
 * @param prefix    the namespace of every RabbitMQ object this engine declares
 * @param reconcile how often the reconciler mints missing tokens
 */
record RabbitUrl(String amqpUri, String storeUrl, String prefix, Duration reconcile) {
    static final String NEEDS_STORE =
            "amqp broker URL needs ?store=<sqlite:|postgresql://|redis:// URL>: the store keeps each job's record";

    static RabbitUrl parse(String url) {
        String redacted = BrokerConfig.redact(url);
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        String store = null;
        String prefix = "kyu";
        Duration reconcile = Duration.ofSeconds(1);
        if (q >= 0) {
            for (String pair : url.substring(q + 1).split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0
                        ? ""
                        : UrlText.decode(pair.substring(eq + 1), "option " + name, msg -> bad(redacted, msg));
                switch (name) {
                    case "store" -> store = value;
                    case "prefix" -> {
                        if (!value.matches("[A-Za-z0-9_.-]{1,64}"))
                            throw bad(
                                    redacted,
                                    "prefix must be 1 to 64 letters, digits, '.', '_' or '-', was '" + value + "'");
                        prefix = value;
                    }
                    case "reconcile" -> reconcile = duration(redacted, value);
                    default -> throw bad(redacted, "unknown option '" + name + "' (known: store, prefix, reconcile)");
                }
            }
        }
        if (store == null || store.isBlank()) throw new KyuException.BrokerConfig(NEEDS_STORE + " (" + redacted + ")");
        return new RabbitUrl(base, store, prefix, reconcile);
    }

    /** The RabbitMQ queue that carries the tokens of Kyu queue {@code queue}. */
    String queueName(String queue) {
        return prefix + ".q." + queue;
    }

    String deadName() {
        return prefix + ".dead";
    }

    private static Duration duration(String redacted, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (t.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            else if (t.endsWith("s"))
                d = Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            else if (t.endsWith("m")) d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            else d = Duration.parse(text.trim());
            if (d.toMillis() < 10) throw bad(redacted, "reconcile must be at least 10ms, was '" + text + "'");
            return d;
        } catch (NumberFormatException | DateTimeParseException e) {
            throw bad(redacted, "reconcile must be a duration like 1s, 500ms or PT2S, was '" + text + "'");
        }
    }

    private static KyuException.BrokerConfig bad(String redacted, String msg) {
        return new KyuException.BrokerConfig("amqp broker URL " + redacted + ": " + msg);
    }
}
