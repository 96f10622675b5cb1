package dev.kyu.spring;

import dev.kyu.Kyu;
import dev.kyu.spi.QueueInfo;
import dev.kyu.spi.WorkerInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/** {@code /actuator/kyu}: the broker, this application's tasks and worker, queue depths and live workers. */
@Endpoint(id = "kyu")
public class KyuEndpoint {
    private final Kyu kyu;
    private final KyuHealth health;

    public KyuEndpoint(Kyu kyu, KyuHealth health) {
        this.kyu = kyu;
        this.health = health;
    }

    @ReadOperation
    public Map<String, Object> kyu() {
        var out = new LinkedHashMap<String, Object>();
        var report = health.check();
        out.put("status", report.up() ? "UP" : "DOWN");
        out.putAll(report.details());
        out.put(
                "tasks",
                kyu.tasks().tasks().stream().map(dev.kyu.task.KyuTask::name).toList());
        if (Boolean.TRUE.equals(report.details().get("brokerReachable"))) {
            List<Map<String, Object>> queues = new ArrayList<>();
            for (QueueInfo q : kyu.admin().queues()) {
                var m = new LinkedHashMap<String, Object>();
                m.put("queue", q.queue());
                m.put("paused", q.paused());
                var counts = new LinkedHashMap<String, Long>();
                q.counts().forEach((state, n) -> counts.put(state.name(), n));
                m.put("counts", counts);
                queues.add(m);
            }
            out.put("queues", queues);
            List<Map<String, Object>> workers = new ArrayList<>();
            for (WorkerInfo w : kyu.admin().workers()) {
                var m = new LinkedHashMap<String, Object>();
                m.put("id", w.id());
                m.put("host", w.host());
                m.put("queues", w.queues());
                m.put("concurrency", w.concurrency());
                m.put("busy", w.busy());
                workers.add(m);
            }
            out.put("workers", workers);
        }
        return out;
    }
}
