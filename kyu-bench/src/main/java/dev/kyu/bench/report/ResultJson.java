package dev.kyu.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Writes figures as JSON: an array with one object per figure,
 * {@code {"broker","figure","unit","median","min","max","runs":[…],"jobs","concurrency","machine":{…}}},
 * plus {@code note} and {@code series} when present. The shape is stable; docs/benchmarks.md documents it.
 */
public final class ResultJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private ResultJson() {}

    public static ArrayNode toJson(List<Figure> figures, Machine machine) {
        ArrayNode out = MAPPER.createArrayNode();
        for (Figure f : figures) {
            ObjectNode o = out.addObject();
            o.put("broker", f.broker());
            o.put("figure", f.figure());
            o.put("unit", f.unit());
            o.put("median", round(f.median()));
            o.put("min", round(f.min()));
            o.put("max", round(f.max()));
            ArrayNode runs = o.putArray("runs");
            f.runs().forEach(r -> runs.add(round(r)));
            o.put("jobs", f.jobs());
            o.put("concurrency", f.concurrency());
            if (f.note() != null) o.put("note", f.note());
            if (!f.series().isEmpty()) o.set("series", MAPPER.valueToTree(f.series()));
            o.set(
                    "machine",
                    MAPPER.valueToTree(Map.of(
                            "cores",
                            machine.cores(),
                            "memory",
                            machine.memory(),
                            "os",
                            machine.os(),
                            "java",
                            machine.java(),
                            "cpu",
                            machine.cpu())));
        }
        return out;
    }

    public static String render(List<Figure> figures, Machine machine) {
        try {
            return MAPPER.writeValueAsString(toJson(figures, machine));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code dir/<broker>-<UTC timestamp>.json} and returns its path. */
    public static Path write(Path dir, String brokerLabel, List<Figure> figures, Machine machine, Instant at) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(fileSafe(brokerLabel) + "-" + STAMP.format(at) + ".json");
            Files.writeString(file, render(figures, machine) + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The broker URL reduced to a file name: scheme and host, no path separators or secrets. */
    static String fileSafe(String label) {
        String s = label.replaceAll("://([^@/]*@)?", "-")
                .replaceAll("[^A-Za-z0-9._-]+", "-")
                .replaceAll("-+", "-");
        s = s.replaceAll("^-|-$", "");
        return s.isEmpty() ? "broker" : s;
    }

    /** Three decimals are more than any of these measurements can resolve. */
    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
