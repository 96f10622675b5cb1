package dev.kyu.alert;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A generic webhook: the message as JSON (docs/alerts.md), signed so the receiver can tell it came from
 * Kyu and was not replayed later. Headers: {@code X-Kyu-Timestamp} (Unix seconds) and
 * {@code X-Kyu-Signature: sha256=HEX}, the HMAC-SHA256 under the shared secret of
 * {@code TIMESTAMP + "." + BODY}.
 */
public final class WebhookChannel implements AlertChannel {
    public static final String SIGNATURE = "X-Kyu-Signature";
    public static final String TIMESTAMP = "X-Kyu-Timestamp";

    private final String name;
    private final URI url;
    private final byte[] secret;
    private final HttpClient http;

    public WebhookChannel(String name, URI url, String secret) {
        this.name = name;
        this.url = url;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(AlertMessage m) throws Exception {
        String body = json(m);
        String ts = Long.toString(m.at().getEpochSecond());
        HttpPost.send(http, url, body, Map.of(TIMESTAMP, ts, SIGNATURE, "sha256=" + sign(secret, ts + "." + body)));
    }

    /** HMAC-SHA256 of {@code payload} under {@code key}, in lower-case hex: what a receiver computes to check a message. */
    public static String sign(byte[] key, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static String json(AlertMessage m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("kind", m.kind().name())
                .put("rule", m.rule())
                .put("key", m.key())
                .put("subject", m.subject())
                .put("text", m.text())
                .put("link", m.link())
                .put("count", m.count())
                .put("at", m.at().toString());
        var jobs = o.putArray("jobs");
        for (Job j : m.jobs()) {
            ObjectNode jo = jobs.addObject()
                    .put("id", j.id())
                    .put("task", j.task())
                    .put("queue", j.queue())
                    .put("state", j.state().name())
                    .put("attempt", j.attempt())
                    .put("maxAttempts", j.maxAttempts());
            JobError e = j.lastError();
            if (e != null) jo.putObject("error").put("type", e.type()).put("message", e.message());
        }
        return o.toString();
    }

    @Override
    public String toString() {
        return "webhook " + name + " (" + HttpPost.safe(url) + ")";
    }
}
