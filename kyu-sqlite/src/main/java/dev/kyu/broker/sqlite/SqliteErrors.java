package dev.kyu.broker.sqlite;

import dev.kyu.KyuException;
import java.sql.SQLException;

/** Reads SQLite's result codes and turns driver exceptions into Kyu's, naming the file but nothing secret. */
final class SqliteErrors {
    static final int BUSY = 5, LOCKED = 6, READONLY = 8, CANTOPEN = 14, NOTADB = 26, CORRUPT = 11, IOERR = 10, PERM = 3;

    private SqliteErrors() {}

    /** The primary result code (extended codes carry it in the low byte), or -1 when unknown. */
    static int code(SQLException e) {
        if (e instanceof org.sqlite.SQLiteException se) return se.getResultCode().code & 0xff;
        return e.getErrorCode() > 0 ? e.getErrorCode() & 0xff : -1;
    }

    static boolean isBusy(SQLException e) {
        int c = code(e);
        return c == BUSY || c == LOCKED;
    }

    static KyuException.BrokerUnavailable unavailable(String path, String action, SQLException e) {
        return new KyuException.BrokerUnavailable(
                "sqlite broker " + path + ": " + action + " failed: " + oneLine(e), e);
    }

    static String oneLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return m.replaceAll("\\s+", " ").trim();
    }
}
