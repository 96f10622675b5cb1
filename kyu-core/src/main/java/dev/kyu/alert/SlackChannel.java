package dev.kyu.alert;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kyu.job.Job;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * A Slack incoming webhook: {@code {"text": "…"}} in Slack's markup, the subject in bold, each job linked to
 * the dashboard's job page. Any service that reads Slack's format (Mattermost, Rocket.Chat) takes it too.
 */
public final class SlackChannel implements AlertChannel {
    private final String name;
    private final URI url;
    private final HttpClient http;
    private final String dashboard;

    public SlackChannel(String name, URI url, String dashboardUrl) {
        this.name = name;
        this.url = url;
        this.dashboard = dashboardUrl;
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
        var text =
                new StringBuilder("*").append(escape(m.subject())).append("*\n").append(escape(m.text()));
        if (dashboard != null && !m.jobs().isEmpty()) {
            text.append('\n');
            for (Job j : m.jobs())
                text.append("<")
                        .append(dashboard)
                        .append("/jobs/")
                        .append(j.id())
                        .append("|")
                        .append(j.id())
                        .append("> ");
        } else if (m.link() != null) {
            text.append("\n<").append(m.link()).append("|open the dashboard>");
        }
        String body = JsonNodeFactory.instance
                .objectNode()
                .put("text", text.toString().strip())
                .toString();
        HttpPost.send(http, url, body, java.util.Map.of());
    }

    /** Slack's three control characters; everything else is shown as written. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public String toString() {
        return "slack " + name + " (" + HttpPost.safe(url) + ")";
    }
}
