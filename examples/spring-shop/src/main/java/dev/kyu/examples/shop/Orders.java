package dev.kyu.examples.shop;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The shop's tables: orders and stock, in the same SQLite file Kyu keeps its jobs in. */
@Repository
public class Orders {
    public record Order(
            String id,
            String item,
            int quantity,
            String card,
            String status,
            String tracking,
            boolean confirmed,
            boolean stockReleased,
            String workflow) {}

    private final JdbcTemplate jdbc;

    public Orders(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.execute(
                "CREATE TABLE IF NOT EXISTS shop_orders (id TEXT PRIMARY KEY, item TEXT NOT NULL, quantity INTEGER NOT NULL,"
                        + " card TEXT NOT NULL, status TEXT NOT NULL, tracking TEXT, confirmed INTEGER NOT NULL DEFAULT 0,"
                        + " stock_released INTEGER NOT NULL DEFAULT 0, workflow TEXT)");
        // A file from before orders ran as workflows gets the column it lacks.
        if (!jdbc.queryForList("SELECT name FROM pragma_table_info('shop_orders')", String.class)
                .contains("workflow")) {
            jdbc.execute("ALTER TABLE shop_orders ADD COLUMN workflow TEXT");
        }
        jdbc.execute("CREATE TABLE IF NOT EXISTS shop_stock (item TEXT PRIMARY KEY, available INTEGER NOT NULL)");
        for (var item : List.of("kettle", "teapot", "mug")) {
            jdbc.update("INSERT OR IGNORE INTO shop_stock (item, available) VALUES (?, 100)", item);
        }
    }

    public void insert(String id, String item, int quantity, String card) {
        jdbc.update(
                "INSERT INTO shop_orders (id, item, quantity, card, status) VALUES (?, ?, ?, ?, 'PLACED')",
                id,
                item,
                quantity,
                card);
    }

    public Optional<Order> find(String id) {
        return jdbc
                .query(
                        "SELECT * FROM shop_orders WHERE id = ?",
                        (rs, n) -> new Order(
                                rs.getString("id"),
                                rs.getString("item"),
                                rs.getInt("quantity"),
                                rs.getString("card"),
                                rs.getString("status"),
                                rs.getString("tracking"),
                                rs.getInt("confirmed") == 1,
                                rs.getInt("stock_released") == 1,
                                rs.getString("workflow")),
                        id)
                .stream()
                .findFirst();
    }

    public boolean knows(String item) {
        return stock(item).isPresent();
    }

    public Optional<Integer> stock(String item) {
        return jdbc.query("SELECT available FROM shop_stock WHERE item = ?", (rs, n) -> rs.getInt(1), item).stream()
                .findFirst();
    }

    /** Takes {@code quantity} from stock; false (and nothing taken) when there is not enough. */
    public boolean takeStock(String item, int quantity) {
        return jdbc.update(
                        "UPDATE shop_stock SET available = available - ? WHERE item = ? AND available >= ?",
                        quantity,
                        item,
                        quantity)
                == 1;
    }

    public void returnStock(String item, int quantity) {
        jdbc.update("UPDATE shop_stock SET available = available + ? WHERE item = ?", quantity, item);
    }

    public void workflow(String id, String workflowId) {
        jdbc.update("UPDATE shop_orders SET workflow = ? WHERE id = ?", workflowId, id);
    }

    public void status(String id, String status) {
        jdbc.update("UPDATE shop_orders SET status = ? WHERE id = ?", status, id);
    }

    public void shipped(String id, String tracking) {
        jdbc.update("UPDATE shop_orders SET status = 'SHIPPED', tracking = ? WHERE id = ?", tracking, id);
    }

    public void confirmed(String id) {
        jdbc.update("UPDATE shop_orders SET confirmed = 1 WHERE id = ?", id);
    }

    public void stockReleased(String id) {
        jdbc.update("UPDATE shop_orders SET stock_released = 1 WHERE id = ?", id);
    }
}
