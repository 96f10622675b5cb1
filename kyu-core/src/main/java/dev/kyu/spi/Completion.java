package dev.kyu.spi;

import dev.kyu.job.Lease;
import java.util.Objects;

/** An attempt's outcome, fenced by the lease it ran under. */
public record Completion(Lease lease, Outcome outcome) {
    public Completion {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(outcome, "outcome");
    }
}
