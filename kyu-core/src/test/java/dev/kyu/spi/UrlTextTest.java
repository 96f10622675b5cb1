package dev.kyu.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UrlTextTest {

    private static String decode(String s) {
        return UrlText.decode(s, "the password", IllegalStateException::new);
    }

    @Test
    void escapesAreUtf8BytesAndAPlusStaysAPlus() {
        assertThat(decode("p%40ss")).isEqualTo("p@ss");
        assertThat(decode("a+b%20c")).isEqualTo("a+b c");
        assertThat(decode("%C3%A9t%c3%a9")).isEqualTo("été");
        assertThat(decode("déjà")).isEqualTo("déjà");
        assertThat(decode("%25")).isEqualTo("%");
    }

    @Test
    void aBadEscapeIsReportedByWhereItIsNeverByTheText() {
        for (String bad : new String[] {"S3c%ZZret", "S3c%", "S3c%4", "S3c%4g"}) {
            assertThatThrownBy(() -> decode(bad))
                    .hasMessage(
                            "invalid %-escape in the password at character 4: % must be followed by two hex digits (write a literal % as %25)");
        }
        assertThatThrownBy(() -> decode("S3c%FFret"))
                .hasMessage("invalid %-escape in the password: the escaped bytes are not UTF-8");
    }
}
