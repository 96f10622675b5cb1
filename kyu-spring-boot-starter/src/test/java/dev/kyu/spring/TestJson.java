package dev.kyu.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.codec.JsonCodec;
import java.io.IOException;

final class TestJson {
    private TestJson() {}

    static JsonNode read(String text) {
        try {
            return JsonCodec.shared().mapper().readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
