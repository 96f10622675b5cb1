package dev.kyu.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads resource use of processes from Linux's /proc: peak resident memory (VmHWM) and CPU time
 * (utime + stime). Also finds a broker server's processes by name, so that "CPU per 1,000 jobs" counts the
 * server's work too. Off Linux every reading is empty rather than wrong.
 */
public final class ProcStats {
    /** USER_HZ: the unit of utime/stime. 100 on every Linux this runs on; asked of getconf once to be sure. */
    private static final double TICKS_PER_SECOND = ticksPerSecond();

    private ProcStats() {}

    /** Peak resident set size of {@code pid} in MiB, or -1 when unknown. */
    public static double peakRssMiB(long pid) {
        return statusKb(pid, "VmHWM:") / 1024.0;
    }

    /** Current resident set size of {@code pid} in MiB, or -1 when unknown. */
    public static double rssMiB(long pid) {
        return statusKb(pid, "VmRSS:") / 1024.0;
    }

    /** CPU seconds (user + system) {@code pid} has used so far, or -1 when unknown. */
    public static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name may hold spaces and parentheses: fields are counted after its closing ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return (utime + stime) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU seconds per pid for a set of processes, to diff two readings. */
    public static Map<Long, Double> cpuSnapshot(List<Long> pids) {
        var out = new HashMap<Long, Double>();
        for (long p : pids) {
            double c = cpuSeconds(p);
            if (c >= 0) out.put(p, c);
        }
        return out;
    }

    /**
     * CPU seconds used between two snapshots; a process seen only in the later one (a new server backend)
     * counts from zero, which is right for a backend forked during the measurement.
     */
    public static double cpuBetween(Map<Long, Double> before, Map<Long, Double> after) {
        double sum = 0;
        for (var e : after.entrySet()) sum += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
        return sum;
    }

    /** Pids of processes whose command name ({@code /proc/PID/comm}) equals one of {@code names}. */
    public static List<Long> pidsNamed(List<String> names) {
        var out = new ArrayList<Long>();
        try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
            dirs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .forEach(p -> {
                        try {
                            String comm = Files.readString(p.resolve("comm")).trim();
                            if (names.contains(comm))
                                out.add(Long.parseLong(p.getFileName().toString()));
                        } catch (IOException | RuntimeException ignored) {
                            // the process ended while we looked
                        }
                    });
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    private static long statusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key)) return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static double ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Double.parseDouble(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
