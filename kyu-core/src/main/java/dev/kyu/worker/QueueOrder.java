package dev.kyu.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The order in which one fetch reads the worker's queues. Strict: always as configured. Weighted: a fresh
 * order per fetch, drawn without replacement in proportion to the weights, so that a queue with weight 3
 * comes first three times as often as one with weight 1 and no queue starves.
 */
final class QueueOrder {
    private final List<String> queues;
    private final Map<String, Integer> weights;

    QueueOrder(List<String> queues, Map<String, Integer> weights) {
        this.queues = List.copyOf(queues);
        this.weights = Map.copyOf(weights);
    }

    List<String> next() {
        if (weights.isEmpty() || queues.size() == 1) return queues;
        var left = new ArrayList<>(queues);
        var out = new ArrayList<String>(queues.size());
        var random = ThreadLocalRandom.current();
        while (!left.isEmpty()) {
            int total = 0;
            for (String q : left) total += weights.get(q);
            int pick = random.nextInt(total);
            for (int i = 0; i < left.size(); i++) {
                pick -= weights.get(left.get(i));
                if (pick < 0) {
                    out.add(left.remove(i));
                    break;
                }
            }
        }
        return out;
    }
}
