package dev.kyu.broker.memory;

/**
 * Plants an entry the memory engine cannot decode, the way a foreign or broken writer might, for the
 * conformance suite's corrupt-job cases. Lives in the engine's package to reach its package-private hook,
 * which keeps that hook out of the public API.
 */
public final class MemoryCorruption {
    private MemoryCorruption() {}

    public static String insert(MemoryBroker broker, String queue) {
        return broker.insertRaw(queue, "\u0001\u0002garbage{{{");
    }
}
