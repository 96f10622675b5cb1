package dev.kyu.notify;

import dev.kyu.job.Job;
import dev.kyu.job.JobError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * De-duplicates failure alerts per task: the first failure of a task is reported at once with its error;
 * further failures of that task within the window are only counted, and when the window closes one
 * summary says how many more failed. A storm of ten thousand failures thus sends two messages per task
 * and window. Pure logic on an injected clock; {@link WebhookNotifier} does the sending.
 */
final class FailureDigest {
    private record Window(Instant openedAt, int suppressed, String lastJobId, String lastQueue) {}

    private final Clock clock;
    private final Duration window;
    private final Map<String, Window> open = new LinkedHashMap<>();

    FailureDigest(Clock clock, Duration window) {
        this.clock = clock;
        this.window = window;
    }

    /** The message to send now for this failed job, or empty when it is folded into a later summary. */
    synchronized Optional<String> failed(Job job) {
        List<String> due = new ArrayList<>();
        Window w = open.get(job.task());
        if (w != null && expired(w)) {
            flushOne(job.task(), w, due);
            w = null;
        }
        if (w == null) {
            open.put(job.task(), new Window(clock.instant(), 0, job.id(), job.queue()));
            return Optional.of(joinDue(due, first(job)));
        }
        open.put(job.task(), new Window(w.openedAt, w.suppressed + 1, job.id(), job.queue()));
        return due.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", due));
    }

    /** Summaries of windows that have closed; windows with nothing suppressed close silently. */
    synchronized List<String> flush(boolean all) {
        List<String> out = new ArrayList<>();
        var it = open.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (all || expired(e.getValue())) {
                it.remove();
                if (e.getValue().suppressed > 0) out.add(summary(e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    private void flushOne(String task, Window w, List<String> out) {
        open.remove(task);
        if (w.suppressed > 0) out.add(summary(task, w));
    }

    private boolean expired(Window w) {
        return !clock.instant().isBefore(w.openedAt.plus(window));
    }

    private static String joinDue(List<String> due, String msg) {
        if (due.isEmpty()) return msg;
        due.add(msg);
        return String.join("\n", due);
    }

    private String first(Job job) {
        JobError e = job.lastError();
        String why = e == null ? "" : ": " + e.type() + (e.message().isEmpty() ? "" : ": " + oneLine(e.message()));
        return "Kyu job " + job.id() + " of task " + job.task() + " on queue " + job.queue() + " FAILED after "
                + job.attempt() + " attempt(s)" + why;
    }

    private String summary(String task, Window w) {
        return w.suppressed + " more job(s) of task " + task + " failed in the last " + human(window) + " (latest "
                + w.lastJobId + " on queue " + w.lastQueue + ")";
    }

    private static String oneLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    static String human(Duration d) {
        if (d.toSeconds() % 3600 == 0) return d.toHours() == 1 ? "hour" : d.toHours() + " hours";
        if (d.toSeconds() % 60 == 0) return d.toMinutes() == 1 ? "minute" : d.toMinutes() + " minutes";
        return d.toSeconds() + " seconds";
    }
}
