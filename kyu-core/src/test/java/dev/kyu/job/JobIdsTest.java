package dev.kyu.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {
    @Test
    void idsAreVersion7AndSortInCreationOrderEvenWithinOneMillisecond() {
        var fixed = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 5000; i++) ids.add(JobIds.next(fixed));
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        UUID u = UUID.fromString(ids.get(0));
        assertThat(u.version()).isEqualTo(7);
        assertThat(u.variant()).isEqualTo(2);
        assertThat(u.getMostSignificantBits() >>> 16)
                .isGreaterThanOrEqualTo(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void idsFromManyThreadsAreUniqueAndEachThreadSeesThemIncrease() throws Exception {
        var fixed = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        var all = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
        var threads = new ArrayList<Thread>();
        var sortedPerThread = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                String last = "";
                for (int i = 0; i < 20_000; i++) {
                    String id = JobIds.next(fixed);
                    if (id.compareTo(last) <= 0) sortedPerThread.set(false);
                    all.add(id);
                    last = id;
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertThat(all).hasSize(80_000);
        assertThat(sortedPerThread).isTrue();
    }

    @Test
    void validatesShape() {
        assertThat(JobIds.isValid(JobIds.next())).isTrue();
        assertThat(JobIds.isValid("not-an-id")).isFalse();
        assertThat(JobIds.isValid(null)).isFalse();
        assertThat(JobIds.isValid("01890A5D-AC96-774B-BCCE-B302099A8057")).isTrue();
        // 36 characters that UUID.fromString would take, but not in the standard form
        assertThat(JobIds.isValid("000000001-000-0000-0000-000000000000")).isFalse();
        // digits of another script are not hex digits
        assertThat(JobIds.isValid("0189\u0661a5d-ac96-774b-bcce-b302099a8057")).isFalse();
        assertThat(JobIds.isValid("01890a5g-ac96-774b-bcce-b302099a8057")).isFalse();
    }

    @Test
    void parseNormalizesAnIdAndRefusesOtherTextAsBadInput() {
        assertThat(JobIds.parse("01890A5D-AC96-774B-BCCE-B302099A8057"))
                .isEqualTo("01890a5d-ac96-774b-bcce-b302099a8057");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobIds.parse("42"))
                .isInstanceOf(dev.kyu.KyuException.InvalidInput.class)
                .hasMessageStartingWith("bad job id '42': expected a UUID");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobIds.parse("x".repeat(500)))
                .hasMessageContaining("x".repeat(60) + "…'")
                .hasMessageNotContaining("x".repeat(61));
    }

    @Test
    void bytesAreTheUuidsSixteenBytes() {
        for (String id : new String[] {
            JobIds.next(), "01890A5D-AC96-774B-BCCE-B302099A8057", "ffffffff-ffff-ffff-ffff-ffffffffffff"
        }) {
            UUID u = UUID.fromString(id);
            var expected = java.nio.ByteBuffer.allocate(16)
                    .putLong(u.getMostSignificantBits())
                    .putLong(u.getLeastSignificantBits())
                    .array();
            assertThat(JobIds.bytes(id)).isEqualTo(expected);
        }
        for (String bad : new String[] {
            "not-an-id", "01890a5g-ac96-774b-bcce-b302099a8057", "000000001-000-0000-0000-000000000000", null
        }) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobIds.bytes(bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
