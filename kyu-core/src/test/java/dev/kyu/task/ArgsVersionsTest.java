package dev.kyu.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgsVersionsTest {
    private static final TaskOptions V3 = TaskOptions.DEFAULTS
            .withVersion(3)
            .withUpcaster(1, a -> ((ObjectNode) a).put("b", a.get("a").asInt() * 2))
            .withUpcaster(2, a -> ((ObjectNode) a).put("c", a.get("b").asInt() + 1));

    @Test
    void aJobWithoutAVersionIsVersion1AndAGarbledOneIsRefused() {
        assertThat(ArgsVersions.of(Map.of())).isEqualTo(1);
        assertThat(ArgsVersions.of(Map.of("kyu.version", "4"))).isEqualTo(4);
        assertThatThrownBy(() -> ArgsVersions.of(Map.of("kyu.version", "0"))).hasMessageContaining("not a version");
        assertThatThrownBy(() -> ArgsVersions.of(Map.of("kyu.version", "x")))
                .hasMessageContaining("'x', not a version");
    }

    @Test
    void upcastersRunInOrderFromTheJobsVersion() throws Exception {
        assertThat(ArgsVersions.upcast("{\"a\": 5}", 1, V3)).isEqualTo("{\"a\":5,\"b\":10,\"c\":11}");
        assertThat(ArgsVersions.upcast("{\"b\": 5}", 2, V3)).isEqualTo("{\"b\":5,\"c\":6}");
    }

    @Test
    void aMissingStepAThrowingStepOrBadJsonIsAClearFailure() {
        var gap = TaskOptions.DEFAULTS.withVersion(3).withUpcaster(2, a -> a);
        assertThatThrownBy(() -> ArgsVersions.upcast("{}", 1, gap))
                .isInstanceOf(ArgsVersions.UpcastException.class)
                .hasMessage("args are version 1 but the task is version 3 and has no upcaster from version 1 to 2");
        var throwing = TaskOptions.DEFAULTS.withVersion(2).withUpcaster(1, a -> {
            throw new IllegalStateException("nope");
        });
        assertThatThrownBy(() -> ArgsVersions.upcast("{}", 1, throwing))
                .hasMessage("the upcaster from version 1 to 2 failed: java.lang.IllegalStateException: nope");
        var toNull = TaskOptions.DEFAULTS.withVersion(2).withUpcaster(1, a -> null);
        assertThatThrownBy(() -> ArgsVersions.upcast("{}", 1, toNull)).hasMessageContaining("returned null");
        assertThatThrownBy(() -> ArgsVersions.upcast("{nope", 1, V3)).hasMessageContaining("not JSON");
    }

    @Test
    void upcastersOutsideTheVersionRangeAreRefusedAtRegistration() {
        assertThatThrownBy(() -> TaskOptions.DEFAULTS.withUpcaster(1, a -> a))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no place in a task of version 1");
        assertThatThrownBy(() -> TaskOptions.DEFAULTS.withVersion(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(V3.withAliases("old.name").version()).isEqualTo(3);
        assertThat(V3.withAliases("old.name").upcasters()).hasSize(2);
    }
}
