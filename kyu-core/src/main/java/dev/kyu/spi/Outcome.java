package dev.kyu.spi;

import dev.kyu.job.JobError;
import java.time.Duration;
import java.util.Objects;

/** How an attempt ended; the engine turns it into the job's next state. */
public sealed interface Outcome {

    /** The job is SUCCEEDED with this result (raw JSON text, may be "null"). */
    record Succeeded(String result) implements Outcome {}

    /** The attempt failed and may be retried: SCHEDULED at {@code now + delay}, the error appended. */
    record Retry(JobError error, Duration delay) implements Outcome {
        public Retry {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(delay, "delay");
        }
    }

    /** The attempt failed for good: FAILED (dead letter), the error appended. */
    record Dead(JobError error) implements Outcome {
        public Dead {
            Objects.requireNonNull(error, "error");
        }
    }

    /** The job is CANCELLED; the reason is appended to its errors. */
    record Cancelled(JobError reason) implements Outcome {
        public Cancelled {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The worker hands the job back without it having run: QUEUED (or SCHEDULED when {@code delay} is
     * positive), and the attempt it took is given back so hand-backs never spend attempts. Used at
     * graceful shutdown and for a task this worker does not know.
     */
    record Released(Duration delay) implements Outcome {
        public Released {
            Objects.requireNonNull(delay, "delay");
        }
    }
}
