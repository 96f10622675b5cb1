package dev.kyu.broker.postgres;

import dev.kyu.KyuException;
import dev.kyu.job.Durations;
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
            return new KyuException.BrokerConfig(
                    where + " asks for a password and the URL gives none (postgresql://USER:PASSWORD@HOST/DB)");
        }
        // The driver reports its own option errors as connection failures; they are the URL's fault, not the network's.
        if (message.startsWith("Invalid ") || message.contains("is not a valid")) {
            return new KyuException.BrokerConfig(where + ": " + oneLine(sql));
        }
        return switch (state) {
            case "28P01", "28000" ->
                new KyuException.BrokerConfig(where + " refused the login of user '"
                        + (s.user() == null ? "" : s.user()) + "': wrong user or password, or no pg_hba.conf entry");
            case "3D000" -> new KyuException.BrokerConfig(where + ": database '" + s.database() + "' does not exist");
            case "42501" ->
                new KyuException.BrokerConfig(
                        where + ": user '" + s.user() + "' lacks the right to create or use schema '" + s.schema()
                                + "' (grant CREATE on the database or create the schema for it)");
            default ->
                new KyuException.BrokerUnavailable(
                        "cannot reach " + where + ": "
                                + (timedOut(failure)
                                        ? "no answer within connectTimeout (" + Durations.format(s.connectTimeout())
                                                + "): "
                                        : "")
                                + oneLine(sql == null ? failure : sql),
                        failure);
        };
    }

    /** During work: the server or the network failed the request. */
    static KyuException.BrokerUnavailable failed(String what, PgSettings s, SQLException e) {
        String why = e instanceof java.sql.SQLTransientConnectionException
                ? "no connection within connectTimeout (" + Durations.format(s.connectTimeout()) + "): " + oneLine(e)
                : readTimedOut(e)
                        ? "no answer within socketTimeout (" + s.socketTimeoutSeconds() + "s): " + oneLine(e)
                        : oneLine(e);
        return new KyuException.BrokerUnavailable(
                "PostgreSQL broker " + s.redacted() + " failed to " + what + ": " + why, e);
    }

    /** The login ran out of time: pgjdbc's loginTimeout, or a read of the login's replies. */
    private static boolean timedOut(Throwable t) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof java.net.SocketTimeoutException) return true;
            if (c instanceof SQLException e && "Connection attempt timed out.".equals(e.getMessage())) return true;
            if (c instanceof java.sql.SQLTransientConnectionException) return true;
        }
        return false;
    }

    private static boolean readTimedOut(Throwable t) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof java.net.SocketTimeoutException) return true;
        }
        return false;
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
