package dev.kyu.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueOrderTest {
    @Test
    void strictOrderIsAlwaysAsConfigured() {
        var order = new QueueOrder(List.of("high", "default", "low"), Map.of());
        for (int i = 0; i < 100; i++) assertThat(order.next()).containsExactly("high", "default", "low");
    }

    @Test
    void weightedOrderPutsEachQueueFirstInProportionAndAlwaysListsAll() {
        var order = new QueueOrder(List.of("a", "b"), Map.of("a", 3, "b", 1));
        int aFirst = 0;
        for (int i = 0; i < 4000; i++) {
            List<String> o = order.next();
            assertThat(o).containsExactlyInAnyOrder("a", "b");
            if (o.get(0).equals("a")) aFirst++;
        }
        // Expected 3000 of 4000; the bounds are about ten standard deviations wide.
        assertThat(aFirst).isBetween(2700, 3300);
    }
}
