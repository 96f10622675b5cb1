package dev.kyu.broker.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

class NotifyListenerTest {
    @RegisterExtension
    static final PostgresExtension pg = PostgresExtension.shared();

    /** Fails when a pgjdbc upgrade moves the internals the listener adjusts, so the lost millisecond is noticed. */
    @Test
    void theListeningConnectionSkipsPgjdbcsWaitAfterEachNotification() throws Exception {
        try (Connection c = pg.connect()) {
            assertThat(NotifyListener.noPeekAfterNotifications(c)).isTrue();
        }
    }

    @Test
    void notificationsStillArriveAfterTheAdjustment() throws Exception {
        try (Connection listening = pg.connect();
                Connection sending = pg.connect()) {
            NotifyListener.noPeekAfterNotifications(listening);
            try (Statement st = listening.createStatement()) {
                st.execute("LISTEN kyu_notify_test");
            }
            try (Statement st = sending.createStatement()) {
                st.execute("SELECT pg_notify('kyu_notify_test', 'a')");
                st.execute("SELECT pg_notify('kyu_notify_test', 'b')");
            }
            PGConnection pg = listening.unwrap(PGConnection.class);
            var got = new java.util.ArrayList<String>();
            while (got.size() < 2) {
                PGNotification[] notes = pg.getNotifications(10_000);
                if (notes == null || notes.length == 0) break;
                for (PGNotification n : notes) got.add(n.getParameter());
            }
            assertThat(got).containsExactly("a", "b");
        }
    }
}
