package dev.kyu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kyu.bench.figure.Sample;
import dev.kyu.bench.report.Figure;
import dev.kyu.bench.report.Machine;
import dev.kyu.bench.report.ResultJson;
import dev.kyu.bench.report.TablePrinter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultJsonTest {
    private static final Machine MACHINE = new Machine(2, "23.4 GiB", "Linux 6.1 amd64", "OpenJDK 25", "Some CPU");

    private static List<Figure> figures() {
        var samples = new LinkedHashMap<String, List<Sample>>();
        samples.put(
                "enqueue-single",
                List.of(
                        Sample.of("enqueue-single", "jobs/s", 900, 1000),
                        Sample.of("enqueue-single", "jobs/s", 1100, 1000),
                        Sample.of("enqueue-single", "jobs/s", 1000, 1000)));
        samples.put(
                "drain",
                List.of(
                        Sample.of("drain", "jobs/s", 50_000, 100_000),
                        Sample.of("drain", "jobs/s", 40_000, 100_000),
                        Sample.of("drain", "jobs/s", 45_000, 100_000)));
        samples.put(
                "sustained-throughput",
                List.of(new Sample(
                        "sustained-throughput",
                        "jobs/s",
                        10,
                        600,
                        List.of(Map.of("run", 1, "second", 1, "finished", 10)))));
        return Runner.gather("redis://127.0.0.1:6379", null, 1000, samples);
    }

    @Test
    void oneObjectPerFigureWithMedianMinMaxRunsAndMachine() throws Exception {
        JsonNode json = new ObjectMapper().readTree(ResultJson.render(figures(), MACHINE));
        assertThat(json.isArray()).isTrue();
        assertThat(json).hasSize(3);
        JsonNode single = json.get(0);
        assertThat(single.get("broker").asText()).isEqualTo("redis://127.0.0.1:6379");
        assertThat(single.get("figure").asText()).isEqualTo("enqueue-single");
        assertThat(single.get("unit").asText()).isEqualTo("jobs/s");
        assertThat(single.get("median").asDouble()).isEqualTo(1000.0);
        assertThat(single.get("min").asDouble()).isEqualTo(900.0);
        assertThat(single.get("max").asDouble()).isEqualTo(1100.0);
        assertThat(single.get("runs")).hasSize(3);
        assertThat(single.get("runs").get(0).asDouble()).isEqualTo(900.0);
        assertThat(single.get("jobs").asLong()).isEqualTo(1000);
        assertThat(single.get("concurrency").asInt())
                .as("no worker runs during enqueue")
                .isZero();
        assertThat(single.get("machine").get("cores").asInt()).isEqualTo(2);
        assertThat(single.get("machine").get("java").asText()).isEqualTo("OpenJDK 25");
        assertThat(single.has("series")).isFalse();

        JsonNode drain = json.get(1);
        assertThat(drain.get("median").asDouble()).isEqualTo(45_000.0);
        assertThat(drain.get("concurrency").asInt()).isEqualTo(1000);
        assertThat(json.get(2).get("series").get(0).get("finished").asInt()).isEqualTo(10);
    }

    @Test
    void writesOneFileNamedByBrokerAndTimeWithoutSecrets(@TempDir Path dir) throws Exception {
        Path file = ResultJson.write(
                dir, "redis://:***@127.0.0.1:6379/0", figures(), MACHINE, Instant.parse("2026-11-27T04:00:00Z"));
        assertThat(file.getFileName().toString()).isEqualTo("redis-127.0.0.1-6379-0-20261127-040000.json");
        assertThat(new ObjectMapper().readTree(Files.readString(file))).hasSize(3);
    }

    @Test
    void tableHasAHeaderAndOneRowPerFigure() {
        String table = TablePrinter.render(figures());
        List<String> lines = table.lines().toList();
        assertThat(lines).hasSize(2 + 3);
        assertThat(lines.get(0)).startsWith("broker").contains("figure", "median", "min", "max", "unit");
        assertThat(lines.get(3)).contains("drain", "45,000", "40,000", "50,000", "jobs/s");
    }
}
