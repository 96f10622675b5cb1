package dev.kyu.broker.redis;

import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns once at open when the server would lose jobs whose enqueue it acknowledged: no append-only file
 * (a crash loses the writes since the last snapshot, or everything when snapshots are off too), or an
 * eviction policy that may drop keys under memory pressure. Managed services often disable CONFIG; then
 * nothing can be checked and nothing is said beyond a debug line.
 */
final class DurabilityCheck {
    private static final Logger LOG = LoggerFactory.getLogger(DurabilityCheck.class);

    private DurabilityCheck() {}

    static void warnIfUnsafe(RedisLink link, RedisSettings settings) {
        var problems = new ArrayList<String>();
        try {
            String aof = link.configGet("appendonly");
            String save = link.configGet("save");
            String policy = link.configGet("maxmemory-policy");
            if ("no".equalsIgnoreCase(aof)) {
                problems.add(
                        save == null || save.isBlank()
                                ? "persistence is off (appendonly no and no save points): a restart loses every job"
                                : "appendonly is no: a crash loses the jobs written since the last snapshot");
            }
            if (policy != null && !"noeviction".equalsIgnoreCase(policy)) {
                problems.add("maxmemory-policy is " + policy + ", which may evict jobs: set noeviction");
            }
        } catch (RuntimeException e) {
            LOG.debug(
                    "cannot read the configuration of Redis {} ({}); durability not checked",
                    settings.redacted(),
                    Faults.oneLine(e));
        }
        try {
            String info = link.info("server");
            for (String line : info.split("\r?\n")) {
                if (line.startsWith("redis_version:")) {
                    String[] v = line.substring(14).trim().split("\\.");
                    int major = Integer.parseInt(v[0]), minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
                    if (major < 6 || (major == 6 && minor < 2)) {
                        LOG.warn(
                                "Redis {} runs version {}; Kyu supports 6.2 and later",
                                settings.redacted(),
                                line.substring(14).trim());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("cannot read the version of Redis {} ({})", settings.redacted(), Faults.oneLine(e));
        }
        if (!problems.isEmpty())
            LOG.warn("Redis {} may lose acknowledged jobs: {}", settings.redacted(), String.join("; ", problems));
    }
}
