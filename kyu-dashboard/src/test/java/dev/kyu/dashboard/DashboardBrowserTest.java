package dev.kyu.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kyu.job.JobOptions;
import dev.kyu.job.JobState;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}): it shows
 * a job the test enqueued, keeps args as text, updates live, and retries a failed job by a click.
 * Screenshots land in {@code target/screenshots/}. Runs with {@code -Pbrowser-tests}.
 */
@Tag("browser")
class DashboardBrowserTest {
    private static final String CHROMEDRIVER = System.getProperty("kyu.chromedriver", "/usr/bin/chromedriver");
    private static final String CHROMIUM = System.getProperty("kyu.chromium", "/usr/bin/chromium");

    private DashboardFixture f;
    private WebDriver browser;
    private Path profile;

    @BeforeEach
    void open() throws Exception {
        f = new DashboardFixture();
        profile = Files.createTempDirectory("kyu-chromium-");
        // An explicit driver and binary: Selenium Manager must never try to download anything.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        var service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        var options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments(
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run",
                        "--window-size=1400,1000",
                        "--user-data-dir=" + profile);
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void close() throws Exception {
        if (browser != null) browser.quit();
        if (f != null) f.close();
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    private void screenshot(String name) throws Exception {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve(name + ".png"), png);
    }

    @Test
    void showsAnEnqueuedJobAndRetriesAFailedOneByClicking() throws Exception {
        // Some finished work so the overview has numbers and a chart.
        var w = f.worker("default", "mail");
        for (int i = 0; i < 12; i++) f.kyu.enqueue("kyu.echo", Map.of("n", i), JobOptions.NONE);
        var failed = f.kyu.enqueue(
                "kyu.fail",
                Map.of("message", "card declined"),
                JobOptions.builder().queue("mail").maxAttempts(1).build());
        await().atMost(Duration.ofSeconds(15))
                .until(() -> f.kyu.admin().job(failed.id()).orElseThrow().state() == JobState.FAILED);
        w.close();

        String xss = "<img src=x onerror=alert(1)>";
        var waiting = f.kyu.enqueue(
                "kyu.echo",
                Map.of("customer", xss),
                JobOptions.builder().queue("reports").build());

        browser.get(f.dashboard.url() + "jobs");
        WebElement row = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(
                        () -> browser.findElement(By.cssSelector("tr[data-job='" + waiting.id() + "']")),
                        e -> e.isDisplayed());
        assertThat(row.findElement(By.cssSelector("td.args")).getText()).contains(xss);
        assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();

        // Live update: a job enqueued now appears without a reload.
        var later = f.kyu.enqueue(
                "kyu.noop", null, JobOptions.builder().queue("reports").build());
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> !browser.findElements(By.cssSelector("tr[data-job='" + later.id() + "']"))
                        .isEmpty());
        screenshot("jobs");

        browser.get(f.dashboard.url());
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(
                        () -> browser.findElement(By.id("chart-main-summary")).getText(),
                        t -> t.contains("13 processed"));
        screenshot("overview");

        browser.get(f.dashboard.url() + "jobs/" + failed.id());
        assertThat(browser.findElement(By.cssSelector("details.error")).getText())
                .contains("card declined");
        screenshot("failed-job");
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() ->
                        browser.findElement(By.cssSelector("button.retry")).click());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> f.kyu.admin().job(failed.id()).orElseThrow().state() == JobState.QUEUED);
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> browser.findElement(By.cssSelector("h1 .state")).getText(), t -> t.equals("QUEUED"));
        assertThat(browser.getCurrentUrl()).endsWith("/jobs/" + failed.id());
        screenshot("retried-job");

        browser.get(f.dashboard.url() + "queues");
        screenshot("queues");
    }
}
