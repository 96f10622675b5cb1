package dev.kyu.worker;

import dev.kyu.Causes;
import dev.kyu.job.Lease;
import dev.kyu.job.Progress;
import dev.kyu.spi.Broker;
import dev.kyu.spi.LeaseExtension;
import dev.kyu.spi.LeaseReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extends every lease this worker holds in one broker call per interval, and acts on what the broker
 * reports back: a job asked to cancel is interrupted and ends CANCELLED; a job whose lease was lost
 * (it expired and was rescued, or was deleted) is interrupted and reports nothing, because another
 * attempt now owns it. Progress a task reported since the last beat is carried by the same call. A broker outage only delays heartbeats: jobs keep running, and if the outage
 * outlasts the lease the broker's rescue hands the job to another worker (at-least-once).
 */
final class Heartbeater {
    private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);

    private final Broker broker;
    private final String workerId;
    private final Duration leaseDuration;
    private final Collection<RunningJob> inflight;
    private volatile boolean failing;

    Heartbeater(Broker broker, String workerId, Duration leaseDuration, Collection<RunningJob> inflight) {
        this.broker = broker;
        this.workerId = workerId;
        this.leaseDuration = leaseDuration;
        this.inflight = inflight;
    }

    void beat() {
        var byId = new java.util.HashMap<String, RunningJob>();
        var leases = new ArrayList<Lease>();
        // Progress rides along: whatever a task reported since the last beat, its latest value only.
        Map<String, Progress> progress = null;
        for (RunningJob r : inflight) {
            byId.put(r.job().id(), r);
            leases.add(r.lease());
            Progress p = r.unsentProgress();
            if (p != null) {
                if (progress == null) progress = new HashMap<>();
                progress.put(r.job().id(), p);
            }
        }
        if (leases.isEmpty()) return;
        LeaseReport report;
        try {
            report = broker.leasesExtend(new LeaseExtension(workerId, leases, leaseDuration, progress));
            if (progress != null) progress.forEach((id, p) -> byId.get(id).progressSent(p));
            if (failing) log.info("heartbeats are getting through again");
            failing = false;
        } catch (RuntimeException e) {
            if (!failing)
                log.warn("could not extend {} lease(s), will keep trying: {}", leases.size(), Causes.oneLine(e));
            log.debug("heartbeat failed", e);
            failing = true;
            return;
        }
        for (String id : report.cancelRequested()) {
            RunningJob r = byId.get(id);
            if (r != null && r.stop(StopReason.CANCELLED)) log.info("job {} was cancelled while running", id);
        }
        for (String id : report.lost()) {
            RunningJob r = byId.get(id);
            // A settled job's outcome is already on its way: the broker reports its lease "lost" when that
            // outcome was recorded while this heartbeat was in flight, and if it was truly lost the
            // completion's own fencing refuses it. Stopping it here could only drop a good outcome.
            if (r != null && !r.isSettled() && r.stop(StopReason.LEASE_LOST)) {
                log.warn(
                        "lost the lease of job {} (attempt {}); another attempt owns it now",
                        id,
                        r.job().attempt());
            }
        }
    }
}
