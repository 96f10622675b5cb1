package dev.kyu.dashboard;

import dev.kyu.KyuException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * How the dashboard listens and whom it lets in. Loopback on port 5555 by default; a non-loopback bind
 * needs credentials (checked at {@link Dashboard#start}).
 *
 * @param port       TCP port; 0 picks a free one
 * @param bind       address to listen on
 * @param user       Basic auth user (with {@code password}), or null
 * @param password   Basic auth password, or null
 * @param token      bearer token (also accepted as the Basic password), or null
 * @param readOnly   hide and refuse every action
 * @param prometheus the registry {@code /metrics} scrapes, or null for a new one; pass the application's
 *                   own when its workers already count jobs into it
 * @param basePath   the path the dashboard lives under on its own server, {@code ""} for the root or e.g.
 *                   {@code /kyu} (behind a reverse proxy that forwards {@code /kyu/...} unchanged); a
 *                   dashboard mounted in another server takes its base from there instead
 */
public record DashboardOptions(
        int port,
        String bind,
        String user,
        String password,
        String token,
        boolean readOnly,
        PrometheusMeterRegistry prometheus,
        String basePath) {
    public static final int DEFAULT_PORT = 5555;
    public static final String DEFAULT_BIND = "127.0.0.1";

    public DashboardOptions {
        if (port < 0 || port > 65535)
            throw new KyuException.InvalidInput("dashboard port must be 0..65535, was " + port);
        if (bind == null || bind.isBlank())
            throw new KyuException.InvalidInput("dashboard bind address must not be blank");
        if ((user == null) != (password == null)) {
            throw new KyuException.InvalidInput("dashboard --user and --password go together");
        }
        if (user != null && (user.isEmpty() || user.contains(":"))) {
            throw new KyuException.InvalidInput("dashboard user must be non-empty and without ':', was '" + user + "'");
        }
        if (password != null && password.length() < 8)
            throw new KyuException.InvalidInput("dashboard password must be at least 8 characters");
        if (token != null && token.length() < 8)
            throw new KyuException.InvalidInput("dashboard token must be at least 8 characters");
        basePath = dev.kyu.dashboard.http.BasePath.normalize(basePath);
    }

    public boolean hasCredentials() {
        return user != null || token != null;
    }

    public static DashboardOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Secrets stay out of logs and messages. */
    @Override
    public String toString() {
        return "DashboardOptions[port=" + port + ", bind=" + bind + ", user=" + user + ", password="
                + (password == null ? null : "***") + ", token=" + (token == null ? null : "***") + ", readOnly="
                + readOnly + ", basePath=" + basePath + "]";
    }

    public static final class Builder {
        private int port = DEFAULT_PORT;
        private String bind = DEFAULT_BIND;
        private String user, password, token;
        private boolean readOnly;
        private PrometheusMeterRegistry prometheus;
        private String basePath = "";

        private Builder() {}

        public Builder port(int p) {
            port = p;
            return this;
        }

        public Builder bind(String b) {
            bind = b;
            return this;
        }

        public Builder basicAuth(String u, String p) {
            user = u;
            password = p;
            return this;
        }

        public Builder token(String t) {
            token = t;
            return this;
        }

        public Builder readOnly(boolean r) {
            readOnly = r;
            return this;
        }

        public Builder prometheus(PrometheusMeterRegistry r) {
            prometheus = r;
            return this;
        }
        /** Serve under this path ({@code /kyu}) rather than at the root; see {@link DashboardOptions#basePath}. */
        public Builder basePath(String p) {
            basePath = p;
            return this;
        }

        public DashboardOptions build() {
            return new DashboardOptions(port, bind, user, password, token, readOnly, prometheus, basePath);
        }
    }
}
