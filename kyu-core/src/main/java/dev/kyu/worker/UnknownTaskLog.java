package dev.kyu.worker;

import dev.kyu.job.Job;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says once per job, not on every put-back, that a job names a task this worker does not know and when it
 * will fail. The jobs already reported are remembered in a small bounded map, oldest forgotten first: a
 * job forgotten that way is at worst reported once more.
 */
final class UnknownTaskLog {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final int REMEMBERED = 1024;

    private final Map<String, Boolean> reported = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    void putBack(Job job, Instant failsAt) {
        synchronized (reported) {
            if (reported.put(job.id(), Boolean.TRUE) != null) return;
        }
        log.warn(
                "job {} names task '{}', which this worker does not know: putting it back for other workers; it fails at {} "
                        + "unless a worker that knows the task takes it",
                job.id(),
                job.task(),
                failsAt);
    }
}
