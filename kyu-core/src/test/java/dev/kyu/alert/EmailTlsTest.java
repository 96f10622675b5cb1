package dev.kyu.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** E-mail over SMTP with TLS from the first byte (SMTPS) and a login, against GreenMail's self-signed certificate. */
class EmailTlsTest {
    @RegisterExtension
    static GreenMailExtension smtps = new GreenMailExtension(ServerSetupTest.SMTPS.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@example.com", "kyu", "mail-password"));

    static AlertMessage message() {
        return new AlertMessage(
                AlertMessage.Kind.FIRING,
                "backlog",
                "default",
                "[kyu] FIRING backlog: default",
                "queue default has 12 job(s) waiting (limit 10)",
                null,
                0,
                List.of(),
                Instant.now());
    }

    @Test
    void sendsOverSslWithALogin() throws Exception {
        var ch = new EmailChannel(
                "mail",
                "127.0.0.1",
                smtps.getSmtps().getPort(),
                "ssl",
                "kyu",
                "mail-password",
                "kyu@example.com",
                List.of("ops@example.com"),
                "*");
        ch.check();
        ch.send(message());
        await().atMost(Duration.ofSeconds(10)).until(() -> smtps.getReceivedMessages().length == 1);
        assertThat(smtps.getReceivedMessages()[0].getSubject()).isEqualTo("[kyu] FIRING backlog: default");
    }

    @Test
    void anUntrustedCertificateIsRefused() {
        var ch = new EmailChannel(
                "mail",
                "127.0.0.1",
                smtps.getSmtps().getPort(),
                "ssl",
                "kyu",
                "mail-password",
                "kyu@example.com",
                List.of("ops@example.com"),
                null);
        assertThatThrownBy(ch::check).hasStackTraceContaining("SSL");
    }
}
