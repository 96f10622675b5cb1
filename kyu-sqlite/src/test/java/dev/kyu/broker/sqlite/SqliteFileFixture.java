package dev.kyu.broker.sqlite;

import dev.kyu.ManualClock;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** One broker per test on a fresh database file, on a clock the test moves by hand. */
abstract class SqliteFileFixture {
    @TempDir
    Path dir;

    Path file;
    ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    SqliteBroker broker;

    @BeforeEach
    void open() {
        file = dir.resolve("kyu.db");
        broker = SqliteTesting.open(file, clock);
    }

    @AfterEach
    void close() {
        broker.close();
    }
}
