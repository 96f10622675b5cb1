package dev.kyu.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.JobOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DashboardCommandTest extends CliTestBase {
    private static final Pattern URL = Pattern.compile("dashboard at (http://\\S+/)");

    @Test
    void servesTheBrokersJobsUntilStopped() throws Exception {
        String id = kyu.enqueueJson(
                        "kyu.noop", "{}", JobOptions.builder().queue("mail").build())
                .id();
        var out = new StringWriter();
        var err = new StringWriter();
        var code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(KyuCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("--broker", url, "dashboard", "--port", "0", "--token", "tok-0123456789", "--read-only")));
        t.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> URL.matcher(out.toString()).find());
        var m = URL.matcher(out.toString());
        assertThat(m.find()).isTrue();
        assertThat(out.toString()).contains("(read-only)");

        var http = HttpClient.newHttpClient();
        var unauthorized = http.send(
                HttpRequest.newBuilder(URI.create(m.group(1) + "api/jobs/" + id))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        var job = http.send(
                HttpRequest.newBuilder(URI.create(m.group(1) + "api/jobs/" + id))
                        .header("Authorization", "Bearer tok-0123456789")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(job.statusCode()).isEqualTo(200);
        assertThat(job.body()).contains("\"queue\":\"mail\"");

        t.interrupt(); // stands in for Ctrl-C
        t.join(30_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(code.get()).as(err.toString()).isZero();
    }

    @Test
    void servesUnderABasePath() throws Exception {
        var out = new StringWriter();
        var err = new StringWriter();
        var code = new AtomicInteger(-1);
        Thread t = new Thread(() -> code.set(KyuCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("--broker", url, "dashboard", "--port", "0", "--base-path", "/kyu")));
        t.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> URL.matcher(out.toString()).find() || !t.isAlive());
        var m = URL.matcher(out.toString());
        assertThat(m.find()).as(err.toString()).isTrue();
        assertThat(m.group(1)).endsWith("/kyu/");
        var http = HttpClient.newHttpClient();
        var page = http.send(
                HttpRequest.newBuilder(URI.create(m.group(1) + "jobs")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("href=\"/kyu/queues\"");
        var root = http.send(
                HttpRequest.newBuilder(URI.create(m.group(1)).resolve("/jobs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(root.statusCode()).isEqualTo(404);
        t.interrupt(); // stands in for Ctrl-C
        t.join(30_000);
        assertThat(code.get()).as(err.toString()).isZero();

        var bad = cli.run("dashboard", "--port", "0", "--base-path", "kyu");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.errLines()).hasSize(1);
        assertThat(bad.err()).contains("bad dashboard base path 'kyu'");
    }

    @Test
    void aPublicBindWithoutCredentialsIsABadUsage() {
        var r = cli.run("dashboard", "--bind", "0.0.0.0", "--port", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("without credentials");
    }

    @Test
    void secretsComeFromFilesSoThatTheProcessListDoesNotShowThem(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var tokenFile = java.nio.file.Files.writeString(dir.resolve("token"), "tok-from-a-file-0123\n");
        var out = new StringWriter();
        var err = new StringWriter();
        var code = new AtomicInteger(-1);
        // A public bind needs credentials: it starts only because the file gave the token.
        Thread t = new Thread(() -> code.set(KyuCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(
                        "--broker",
                        url,
                        "dashboard",
                        "--bind",
                        "0.0.0.0",
                        "--port",
                        "0",
                        "--token-file",
                        tokenFile.toString())));
        t.start();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> URL.matcher(out.toString()).find() || !t.isAlive());
        var m = URL.matcher(out.toString());
        assertThat(m.find()).as(err.toString()).isTrue();
        var http = HttpClient.newHttpClient();
        String overview = m.group(1).replace("0.0.0.0", "127.0.0.1") + "api/overview";
        assertThat(http.send(HttpRequest.newBuilder(URI.create(overview)).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(401);
        assertThat(http.send(
                                HttpRequest.newBuilder(URI.create(overview))
                                        .header("Authorization", "Bearer tok-from-a-file-0123")
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);
        t.interrupt(); // stands in for Ctrl-C
        t.join(30_000);
        assertThat(code.get()).as(err.toString()).isZero();

        var missing = cli.run(
                "dashboard",
                "--bind",
                "0.0.0.0",
                "--token-file",
                dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.errLines()).hasSize(1);
        assertThat(missing.err()).contains("cannot read --token-file").contains("no such file");
        var empty = java.nio.file.Files.writeString(dir.resolve("empty"), "\n");
        assertThat(cli.run("dashboard", "--user", "ops", "--password-file", empty.toString())
                        .err())
                .contains("is empty");
        var both = cli.run("dashboard", "--token", "tok-0123456789", "--token-file", tokenFile.toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--token or --token-file, not both");
        var shortPassword = cli.run("dashboard", "--user", "ops", "--password", "pw");
        assertThat(shortPassword.exitCode()).isEqualTo(2);
        assertThat(shortPassword.err()).contains("at least 8 characters");
    }

    @Test
    void userAndTokenExcludeEachOtherAndUserNeedsAPassword() {
        var alone = cli.run("dashboard", "--user", "ops");
        assertThat(alone.exitCode()).isEqualTo(2);
        assertThat(alone.err()).contains("--user and --password go together");
        var both = cli.run("dashboard", "--user", "ops", "--password", "pw", "--token", "tok-0123456789");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("either --user with --password, or --token, not both");
    }
}
