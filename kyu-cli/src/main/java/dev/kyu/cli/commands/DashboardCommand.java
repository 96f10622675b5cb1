package dev.kyu.cli.commands;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.cli.Blocking;
import dev.kyu.cli.ExitCode;
import dev.kyu.cli.KyuCommand;
import dev.kyu.dashboard.Dashboard;
import dev.kyu.dashboard.DashboardOptions;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kyu dashboard}: the web dashboard, JSON API and Prometheus metrics (docs/dashboard.md). */
@Command(
        name = "dashboard",
        description = "Serve the web dashboard, its JSON API under /api and Prometheus /metrics.",
        footer = {
            "",
            "Examples:",
            "  kyu dashboard",
            "  kyu dashboard --port 8080 --read-only",
            "  KYU_DASHBOARD_TOKEN=… kyu dashboard --bind 0.0.0.0",
            "  kyu dashboard --bind 0.0.0.0 --user ops --password-file /run/secrets/kyu-dashboard",
            "",
            "A secret given as --password or --token shows in the process list; the file options and the",
            "environment variables KYU_DASHBOARD_PASSWORD (with --user) and KYU_DASHBOARD_TOKEN do not."
        })
public final class DashboardCommand extends KyuCommand {
    @Option(
            names = "--port",
            paramLabel = "N",
            description = "TCP port (default ${DEFAULT-VALUE}).",
            defaultValue = "5555")
    int port;

    @Option(
            names = "--bind",
            paramLabel = "ADDR",
            description =
                    "Address to listen on (default ${DEFAULT-VALUE}); " + "anything but loopback needs credentials.",
            defaultValue = "127.0.0.1")
    String bind;

    @Option(names = "--user", paramLabel = "U", description = "Basic auth user (with --password).")
    String user;

    @Option(
            names = "--password",
            paramLabel = "P",
            description = "Basic auth password (with --user; default: $KYU_DASHBOARD_PASSWORD).")
    String password;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "Read the Basic auth password from FILE (its first line).")
    Path passwordFile;

    @Option(
            names = "--token",
            paramLabel = "T",
            description = "Bearer token (also accepted as the Basic password); instead of --user "
                    + "(default: $KYU_DASHBOARD_TOKEN).")
    String token;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "Read the bearer token from FILE (its first line).")
    Path tokenFile;

    @Option(names = "--read-only", description = "Hide and refuse every action.")
    boolean readOnly;

    @Option(
            names = "--base-path",
            paramLabel = "PATH",
            description = "Serve under PATH (e.g. /kyu, behind a reverse proxy) instead of at the root.")
    String basePath;

    @Option(
            names = "--alerts",
            paramLabel = "FILE",
            description = "Also evaluate the alert rules of FILE (docs/alerts.md).")
    Path alertsFile;

    @Override
    public Integer call() {
        var alertConfig = alertsFile == null ? null : dev.kyu.alert.AlertFile.read(alertsFile);
        var options = DashboardOptions.builder()
                .port(port)
                .bind(bind)
                .readOnly(readOnly)
                .basePath(basePath);
        if (password != null && passwordFile != null)
            throw new KyuException.InvalidInput("give --password or --password-file, not both");
        if (token != null && tokenFile != null)
            throw new KyuException.InvalidInput("give --token or --token-file, not both");
        String pw =
                password != null ? password : passwordFile != null ? firstLine(passwordFile, "--password-file") : null;
        String tok = token != null ? token : tokenFile != null ? firstLine(tokenFile, "--token-file") : null;
        if ((user != null || pw != null) && tok != null) {
            throw new KyuException.InvalidInput("give either --user with --password, or --token, not both");
        }
        // The environment fills in only what the command line left open, so a --user given there is not
        // refused because a token happens to be set in the environment too.
        if (user != null && pw == null) pw = env("KYU_DASHBOARD_PASSWORD");
        if (user == null && pw == null && tok == null) tok = env("KYU_DASHBOARD_TOKEN");
        options.basicAuth(user, pw).token(tok);
        DashboardOptions built = options.build();
        Kyu kyu = root().connect();
        Dashboard dashboard;
        try {
            // POST /api/jobs applies a task's own defaults (its queue) when the task is known here.
            kyu.tasks().registerServiceLoaded(DashboardCommand.class.getClassLoader());
            dashboard = Dashboard.start(kyu, built);
        } catch (KyuException e) {
            kyu.close();
            throw e;
        }
        output().line("dashboard at " + dashboard.url() + (readOnly ? " (read-only)" : "") + " on "
                + kyu.admin().brokerDescription());
        out().flush();
        var blocking = new Blocking().closeAtEnd(kyu).closeAtEnd(dashboard);
        if (alertConfig != null)
            blocking.closeAtEnd(dev.kyu.alert.Alerts.of(kyu, alertConfig).start());
        blocking.awaitShutdown();
        return ExitCode.OK;
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? null : v;
    }

    private static String firstLine(Path file, String option) {
        String line = dev.kyu.cli.TextFiles.read(file, option)
                .lines()
                .findFirst()
                .orElse("")
                .strip();
        if (line.isEmpty()) throw new KyuException.InvalidInput(option + " " + file + " is empty");
        return line;
    }
}
