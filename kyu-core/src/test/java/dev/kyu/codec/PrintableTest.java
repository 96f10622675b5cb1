package dev.kyu.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PrintableTest {
    @Test
    void oneLineTextHasEveryControlEscaped() {
        assertThat(Printable.line("a\u001b[2J\nb\r\tc\u0000")).isEqualTo("a\\u001b[2J\\nb\\r\\tc\\u0000");
        assertThat(Printable.line("del\u007f csi\u009b31m")).isEqualTo("del\\u007f csi\\u009b31m");
        assertThat(Printable.line("evil\u202etxt.exe \u2066x\u2069 \u2028"))
                .isEqualTo("evil\\u202etxt.exe \\u2066x\\u2069 \\u2028");
    }

    @Test
    void printableTextIsReturnedAsIs() {
        String s = "café ✓ 😀 C:\\path \"q\" 日本";
        assertThat(Printable.line(s)).isSameAs(s);
        assertThat(Printable.block(s)).isSameAs(s);
        assertThat(Printable.json(s)).isSameAs(s);
        assertThat(Printable.jsonForUtf8(s)).isSameAs(s);
        assertThat(Printable.line(null)).isNull();
    }

    @Test
    void loneSurrogatesAreEscapedAndPairsKept() {
        assertThat(Printable.line("a\ud800b \udc00 \ud83d\ude00 end\ud83d"))
                .isEqualTo("a\\ud800b \\udc00 \ud83d\ude00 end\\ud83d");
        assertThat(Printable.hasLoneSurrogate("\ud83d\ude00")).isFalse();
        assertThat(Printable.hasLoneSurrogate("x\udc00")).isTrue();
    }

    @Test
    void blocksKeepTheirLinesButNoOtherControl() {
        assertThat(Printable.block("Boom: x\u001b[31m\r\n\tat a.B(C.java:1)\n"))
                .isEqualTo("Boom: x\\u001b[31m\n\tat a.B(C.java:1)\n");
        assertThat(Printable.block("lone\rreturn")).isEqualTo("lone\\rreturn");
    }

    @Test
    void quotedValuesAreWholeUpToABound() {
        assertThat(Printable.quoted("mail\nX")).isEqualTo("'mail\\nX'");
        assertThat(Printable.quoted(null)).isEqualTo("null");
        String longValue = "q".repeat(1000);
        assertThat(Printable.quoted(longValue))
                .startsWith("'" + "q".repeat(Printable.MAX_QUOTED) + "…")
                .endsWith("(1000 characters)'");
    }

    @Test
    void jsonStaysTheSameJsonAndSurvivesUtf8() throws Exception {
        var mapper = JsonCodec.shared().mapper();
        String value = "x\u001b \u009b \u202e \ud800 \ud83d\ude00 é";
        String written = mapper.writeValueAsString(java.util.Map.of("s", value));
        String shown = Printable.json(written);
        assertThat(shown).doesNotContain("\u009b").doesNotContain("\u202e").doesNotContain("\ud800");
        assertThat(mapper.readTree(shown).get("s").asText()).isEqualTo(value);

        String stored = Printable.jsonForUtf8(written);
        String roundTrip = new String(stored.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(mapper.readTree(roundTrip).get("s").asText()).isEqualTo(value);
        assertThat(stored).contains("\\ud800").contains("\ud83d\ude00");
        // and the codec's own output is already safe to store
        assertThat(JsonCodec.shared().encode(java.util.Map.of("s", value))).contains("\\ud800");
    }
}
