package dev.kyu.maintenance;

import dev.kyu.spi.PruneRequest;
import java.time.Duration;

/**
 * How often the housekeeping loops run, and how long finished jobs are kept.
 *
 * @param promoteInterval how often due SCHEDULED jobs are promoted: the precision of delays and retries
 * @param rescueInterval  how often expired leases are looked for
 * @param pruneInterval   how often old jobs are deleted
 * @param prune           retention of finished jobs (succeeded/cancelled 24 h, failed 7 days by default)
 */
public record MaintenanceOptions(
        Duration promoteInterval, Duration rescueInterval, Duration pruneInterval, PruneRequest prune) {
    public static final MaintenanceOptions DEFAULTS = new MaintenanceOptions(
            Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofMinutes(1), PruneRequest.defaults());

    public MaintenanceOptions withRescueInterval(Duration d) {
        return new MaintenanceOptions(promoteInterval, d, pruneInterval, prune);
    }

    public MaintenanceOptions withPromoteInterval(Duration d) {
        return new MaintenanceOptions(d, rescueInterval, pruneInterval, prune);
    }

    public MaintenanceOptions withPrune(PruneRequest p) {
        return new MaintenanceOptions(promoteInterval, rescueInterval, pruneInterval, p);
    }
}
