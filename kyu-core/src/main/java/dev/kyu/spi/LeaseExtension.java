package dev.kyu.spi;

import dev.kyu.job.Lease;
import java.time.Duration;
import java.util.List;

/** Extend the leases a worker holds to {@code now + leaseDuration}, all in one call. */
public record LeaseExtension(String workerId, List<Lease> leases, Duration leaseDuration) {
    public LeaseExtension {
        leases = List.copyOf(leases);
    }
}
