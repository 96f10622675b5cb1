package dev.kyu;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class CausesTest {

    @Test
    void aBrokerFailureIsOneLineWithItsCausesMessages() {
        var driver = new SQLException(
                "An I/O error occurred while sending to the backend.\n  Detail: x",
                new ConnectException("Connection refused"));
        var e = new KyuException.BrokerUnavailable(
                "PostgreSQL broker postgresql://h/db failed to fetch: An I/O error occurred while sending to the backend.",
                driver);
        assertThat(Causes.oneLine(e))
                .isEqualTo(
                        "PostgreSQL broker postgresql://h/db failed to fetch: An I/O error occurred while sending to the backend.; "
                                + "caused by java.sql.SQLException: An I/O error occurred while sending to the backend. Detail: x; "
                                + "caused by java.net.ConnectException: Connection refused");
    }

    @Test
    void aCauseTheLineAlreadyHoldsAddsNothingAndAnExceptionWithoutMessageIsNamed() {
        var inner = new IllegalStateException("pool closed");
        assertThat(Causes.oneLine(new RuntimeException("pool closed", inner)))
                .isEqualTo("java.lang.RuntimeException: pool closed");
        assertThat(Causes.oneLine(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
    }
}
