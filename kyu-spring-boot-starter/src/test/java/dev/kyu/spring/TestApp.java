package dev.kyu.spring;

import dev.kyu.task.JobContext;
import dev.kyu.task.Task;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/** An application as a user writes one: a task bean, annotated task methods and a transactional service. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({TestApp.Arithmetic.class, TestApp.Shipping.class, TestApp.Orders.class})
public class TestApp {
    public record Greeting(String name) {}

    public record Pair(int a, int b) {}

    public record Sum(int total) {}

    public record Order(String id) {}

    @Bean
    dev.kyu.task.KyuTask<Greeting, String> greet() {
        return Task.of("test.greet", Greeting.class, String.class, (g, ctx) -> "hello " + g.name());
    }

    public static class Arithmetic {
        @KyuTask("test.add")
        public Sum add(Pair p) {
            return new Sum(p.a() + p.b());
        }
    }

    public static class Shipping {
        final Set<String> shipped = ConcurrentHashMap.newKeySet();

        @KyuTask(value = "test.ship", maxAttempts = 2)
        public void ship(Order order, JobContext ctx) {
            shipped.add(order.id() + "@" + ctx.attempt());
        }

        boolean shipped(String id) {
            return shipped.stream().anyMatch(s -> s.startsWith(id + "@"));
        }
    }

    public static class Orders {
        private final JdbcTemplate jdbc;
        private final KyuTemplate kyu;

        public Orders(JdbcTemplate jdbc, KyuTemplate kyu) {
            this.jdbc = jdbc;
            this.kyu = kyu;
            jdbc.execute("CREATE TABLE IF NOT EXISTS shop_orders (id VARCHAR(64) PRIMARY KEY)");
        }

        /** Saves the order and enqueues its shipping in one transaction; {@code fail} rolls both back. */
        @Transactional
        public void place(String id, boolean fail) {
            jdbc.update("INSERT INTO shop_orders (id) VALUES (?)", id);
            kyu.enqueue("test.ship", new Order(id));
            if (fail) throw new IllegalStateException("payment declined for " + id);
        }

        int saved(String id) {
            return jdbc.queryForObject("SELECT COUNT(*) FROM shop_orders WHERE id = ?", Integer.class, id);
        }
    }
}
