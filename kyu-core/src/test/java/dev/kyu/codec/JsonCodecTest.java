package dev.kyu.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.KyuException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
    private final JsonCodec codec = new JsonCodec();

    record Args(String name) {}

    @Test
    void nullBindsAsJacksonBindsItEveryTime() {
        for (int i = 0; i < 3; i++) { // the first call learns the answer, later ones use it
            assertThat(codec.<Args>decode("null", Args.class)).isNull();
            assertThat(codec.<Integer>decode("null", Integer.class)).isNull();
            assertThat(codec.<Optional<String>>decode(
                            "null",
                            codec.mapper().getTypeFactory().constructParametricType(Optional.class, String.class)))
                    .isEqualTo(codec.mapper().convertValue(null, Optional.class));
            assertThat(codec.<JsonNode>decode("null", JsonNode.class)).isNotNull();
            assertThatThrownBy(() -> codec.decode("null", int.class)).isInstanceOf(KyuException.InvalidInput.class);
        }
    }

    @Test
    void validateAcceptsLiteralsAndRejectsBrokenText() {
        for (String ok : List.of("null", "true", "false", "{}", "[]", "0", "{\"a\":[1,2]}", " null "))
            codec.validate(ok);
        for (String bad : List.of("", "nul", "{", "[]]", "01", "null null")) {
            assertThatThrownBy(() -> codec.validate(bad)).as(bad).isInstanceOf(KyuException.InvalidInput.class);
        }
        assertThatThrownBy(() -> codec.validate(null)).isInstanceOf(KyuException.InvalidInput.class);
    }
}
