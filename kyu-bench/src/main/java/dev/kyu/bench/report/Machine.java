package dev.kyu.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The machine a run was taken on, recorded with every figure so that numbers never travel without it. */
public record Machine(int cores, String memory, String os, String java, String cpu) {

    public static Machine current() {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                memTotal(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + Runtime.version(),
                cpuModel());
    }

    private static String memTotal() {
        return procLine("/proc/meminfo", "MemTotal:")
                .map(l -> {
                    long kb = Long.parseLong(l.replaceAll("\\D+", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                })
                .orElse("unknown");
    }

    private static String cpuModel() {
        return procLine("/proc/cpuinfo", "model name")
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .orElse("unknown");
    }

    private static Optional<String> procLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream()
                    .filter(l -> l.startsWith(prefix))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
