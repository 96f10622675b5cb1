package dev.kyu.broker.memory;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The JVM-wide registry of named memory stores: brokers opened as {@code memory:NAME} share the store
 * of that name while any of them is open; {@code memory:} always gets a private one.
 */
final class MemoryStores {
    private static final Map<String, MemoryStore> NAMED = new HashMap<>();

    private MemoryStores() {}

    static synchronized MemoryBroker open(String name, Clock clock) {
        MemoryStore store = name.isEmpty() ? new MemoryStore() : NAMED.computeIfAbsent(name, n -> new MemoryStore());
        store.references++;
        return new MemoryBroker(store, name, clock);
    }

    static synchronized void release(String name, MemoryStore store) {
        if (--store.references == 0 && !name.isEmpty()) NAMED.remove(name, store);
    }
}
