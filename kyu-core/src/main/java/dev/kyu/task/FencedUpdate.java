package dev.kyu.task;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Guards a task's write to a table of the user's own with the job's fencing token ({@link JobContext#fencingToken()}):
 * <pre>{@code
 * UPDATE accounts SET balance = ?, fence = ? WHERE id = ? AND (fence IS NULL OR fence <= ?)
 * }</pre>
 * The row keeps the highest token that wrote it. An attempt whose lease was lost and whose job was leased
 * again holds a lower token than the attempt that replaced it, so once the newer attempt has written, the
 * older one's late write matches no row and changes nothing. An equal token passes: one attempt may write
 * the same row more than once. The guarded row must exist (insert it with fence 0, or NULL).
 *
 * <pre>{@code
 * boolean applied = FencedUpdate.of("accounts", "id", accountId)
 *         .set("balance", newBalance)
 *         .apply(connection, ctx.fencingToken());
 * if (!applied) throw new NonRetryableException("a newer attempt of job " + ctx.jobId() + " already wrote account " + accountId);
 * }</pre>
 * Table and column names are checked to be plain SQL identifiers (they come from code, never from a job's
 * arguments); values are bound as parameters.
 */
public final class FencedUpdate {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private final String table;
    private final String keyColumn;
    private final Object key;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private String fenceColumn = "fence";

    private FencedUpdate(String table, String keyColumn, Object key) {
        this.table = identifier(table);
        this.keyColumn = identifier(keyColumn);
        this.key = Objects.requireNonNull(key, "key");
    }

    /** An update of the row of {@code table} whose {@code keyColumn} is {@code key}. */
    public static FencedUpdate of(String table, String keyColumn, Object key) {
        return new FencedUpdate(table, keyColumn, key);
    }

    /** Sets a column (bound as a parameter; null writes NULL). */
    public FencedUpdate set(String column, Object value) {
        values.put(identifier(column), value);
        return this;
    }

    /** The column that keeps the token; {@code fence} unless set. */
    public FencedUpdate fenceColumn(String column) {
        fenceColumn = identifier(column);
        return this;
    }

    /** The statement {@link #apply} runs: the set columns, then the fence, the key and the fence again as parameters. */
    public String sql() {
        var set = new StringBuilder();
        for (String column : values.keySet()) set.append(column).append(" = ?, ");
        return "UPDATE " + table + " SET " + set + fenceColumn + " = ? WHERE " + keyColumn + " = ? AND (" + fenceColumn
                + " IS NULL OR " + fenceColumn + " <= ?)";
    }

    /**
     * Runs the guarded update on the caller's connection (in the caller's transaction, if one is open).
     *
     * @return true when the row was written; false when a newer token had already written it (or the row is missing)
     */
    public boolean apply(Connection connection, long fencingToken) throws SQLException {
        List<Object> params = new ArrayList<>(values.values());
        params.add(fencingToken);
        params.add(key);
        params.add(fencingToken);
        try (PreparedStatement ps = connection.prepareStatement(sql())) {
            for (int i = 0; i < params.size(); i++) ps.setObject(i + 1, params.get(i));
            return ps.executeUpdate() > 0;
        }
    }

    private static String identifier(String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "'" + name + "' is not a plain SQL identifier (letters, digits and '_', optionally schema.name)");
        }
        return name;
    }
}
