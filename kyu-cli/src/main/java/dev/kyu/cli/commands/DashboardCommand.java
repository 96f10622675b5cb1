package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.Blocking;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.dashboard.Dashboard;
import dev.kyu.dashboard.DashboardOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kyu dashboard}: the web dashboard, JSON API and Prometheus metrics (docs/dashboard.md). */
@Command(name = "dashboard", description = "Serve the web dashboard, its JSON API under /api and Prometheus /metrics.",
        footer = {"", "Examples:", "  kyu dashboard", "  kyu dashboard --port 8080 --read-only",
                "  kyu dashboard --bind 0.0.0.0 --token \"$KYU_DASHBOARD_TOKEN\""})
public final class DashboardCommand extends KyuCommand {
    @Option(names = "--port", paramLabel = "N", description = "TCP port (default ${DEFAULT-VALUE}).", defaultValue = "5555")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default ${DEFAULT-VALUE}); "
            + "anything but loopback needs credentials.", defaultValue = "127.0.0.1")
    String bind;

    @Option(names = "--user", paramLabel = "U", description = "Basic auth user (with --password).")
    String user;

    @Option(names = "--password", paramLabel = "P", description = "Basic auth password (with --user).")
    String password;

    @Option(names = "--token", paramLabel = "T", description = "Bearer token (also accepted as the Basic password); instead of --user.")
    String token;

    @Option(names = "--read-only", description = "Hide and refuse every action.")
    boolean readOnly;

    @Override
    public Integer call() {
        var options = DashboardOptions.builder().port(port).bind(bind).readOnly(readOnly);
        if ((user != null || password != null) && token != null) {
            throw new KyuException.InvalidInput("give either --user with --password, or --token, not both");
        }
        options.basicAuth(user, password).token(token);
        DashboardOptions built = options.build();
        Kyu kyu = root().connect();
        Dashboard dashboard;
        try {
            dashboard = Dashboard.start(kyu, built);
        } catch (KyuException e) {
            kyu.close();
            throw e;
        }
        output().line("dashboard at " + dashboard.url() + (readOnly ? " (read-only)" : "") + " on " + kyu.admin().brokerDescription());
        out().flush();
        new Blocking().closeAtEnd(kyu).closeAtEnd(dashboard).awaitShutdown();
        return ExitCode.OK;
    }
}
