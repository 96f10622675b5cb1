package dev.kyu.cli;

/**
 * Configures slf4j-simple for the command line before the first logger exists: Kyu's own logs at info
 * (debug with {@code --verbose}), libraries at warn, a short one-line format on stderr so that stdout
 * stays clean for {@code --json} output. Every event is one line, an exception's causes folded into it
 * ({@link OneLineLogs}); {@code --verbose} adds the stack trace.
 */
final class Logging {
    private Logging() {}

    static void configure(boolean verbose) {
        // one line per event, exceptions folded into it; the full stack trace with --verbose
        setDefault("slf4j.provider", OneLineLogs.class.getName());
        setDefault("slf4j.internal.verbosity", "WARN"); // not slf4j's own line saying which provider it loaded
        OneLineLogs.traces = verbose;
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setDefault("org.slf4j.simpleLogger.log.dev.kyu", verbose ? "debug" : "info");
        // Lettuce reports every failed reconnect attempt during a Redis outage; Kyu's own line says it once.
        setDefault(
                "org.slf4j.simpleLogger.log.io.lettuce.core.protocol.ConnectionWatchdog", verbose ? "warn" : "error");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.levelInBrackets", "false");
    }

    /** A -D on the java command line still wins. */
    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
