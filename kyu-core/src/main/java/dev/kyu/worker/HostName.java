package dev.kyu.worker;

/** This machine's name as operators see it in worker ids, lock owners and the worker registry. */
public final class HostName {
    private static final String NAME = lookUp();

    private HostName() {}

    public static String get() {
        return NAME;
    }

    // Looked up once: a slow or broken resolver must not be paid for on every heartbeat.
    private static String lookUp() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
