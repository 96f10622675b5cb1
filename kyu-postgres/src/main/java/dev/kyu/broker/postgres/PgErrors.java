package dev.kyu.broker.postgres;

import dev.kyu.KyuException;
import java.sql.SQLException;

/**
 * Turns driver errors into Kyu's: a bad login, missing database or missing rights becomes a one-line
 * {@link KyuException.BrokerConfig}, anything else a {@link KyuException.BrokerUnavailable}. Messages
 * name the redacted URL and never the password (the driver's own messages never carry it either).
 */
final class PgErrors {
    private PgErrors() {}

    /** At open: what was wrong with the URL, the login or the server. */
    static KyuException atOpen(PgSettings s, Throwable failure) {
        SQLException sql = findSql(failure);
        String state = sql == null ? "" : String.valueOf(sql.getSQLState());
        String where = "PostgreSQL at " + s.hostPort() + "/" + s.database() + " (" + s.redacted() + ")";
        String message = sql == null || sql.getMessage() == null ? "" : sql.getMessage();
        if (message.contains("no password was provided")) {
            return new KyuException.BrokerConfig(where + " asks for a password and the URL gives none (postgresql://USER:PASSWORD@HOST/DB)");
        }
        // The driver reports its own option errors as connection failures; they are the URL's fault, not the network's.
        if (message.startsWith("Invalid ") || message.contains("is not a valid")) {
            return new KyuException.BrokerConfig(where + ": " + oneLine(sql));
        }
        return switch (state) {
            case "28P01", "28000" -> new KyuException.BrokerConfig(where + " refused the login of user '"
                    + (s.user() == null ? "" : s.user()) + "': wrong user or password, or no pg_hba.conf entry");
            case "3D000" -> new KyuException.BrokerConfig(where + ": database '" + s.database() + "' does not exist");
            case "42501" -> new KyuException.BrokerConfig(where + ": user '" + s.user()
                    + "' lacks the right to create or use schema '" + s.schema() + "' (grant CREATE on the database or create the schema for it)");
            default -> new KyuException.BrokerUnavailable("cannot reach " + where + ": " + oneLine(sql == null ? failure : sql), failure);
        };
    }

    /** During work: the server or the network failed the request. */
    static KyuException.BrokerUnavailable failed(String what, String redacted, SQLException e) {
        return new KyuException.BrokerUnavailable("PostgreSQL broker " + redacted + " failed to " + what + ": " + oneLine(e), e);
    }

    static SQLException findSql(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s) return s;
            if (c.getCause() == c) break;
        }
        return null;
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }
}
