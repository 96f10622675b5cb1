package dev.kyu.spi;

import dev.kyu.job.Lease;
import dev.kyu.job.Progress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Extend the leases a worker holds to {@code now + leaseDuration}, all in one call.
 *
 * @param progress progress reported since the last heartbeat, by job id: the engine stores each with its
 *                 job when (and only when) that job's lease is still held, in the same step as the extension,
 *                 so progress costs no round trip of its own and a fenced-out attempt cannot overwrite it
 */
public record LeaseExtension(
        String workerId, List<Lease> leases, Duration leaseDuration, Map<String, Progress> progress) {
    public LeaseExtension {
        leases = List.copyOf(leases);
        progress = progress == null ? Map.of() : Map.copyOf(progress);
    }

    public LeaseExtension(String workerId, List<Lease> leases, Duration leaseDuration) {
        this(workerId, leases, leaseDuration, Map.of());
    }
}
