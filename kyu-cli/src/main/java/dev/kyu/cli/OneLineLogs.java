package dev.kyu.cli;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.simple.SimpleLogger;
import org.slf4j.simple.SimpleLoggerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * slf4j-simple as the command line uses it: every log event is one line, also when it carries an
 * exception. Libraries (the PostgreSQL driver and its pool, Lettuce, Netty) log a broker restart with a
 * stack trace of twenty lines or more; here the exception's cause chain is folded into the line as its
 * messages ({@code … (Type: message; caused by Type: message)}). With {@code --verbose} the full trace
 * follows the line, as slf4j-simple prints it. Chosen by {@link Logging} through {@code slf4j.provider}.
 */
public final class OneLineLogs implements SLF4JServiceProvider {
    /** Set by {@link Logging} before the first logger exists. */
    static volatile boolean traces;

    private final ILoggerFactory factory = new SimpleLoggerFactory() {
        @Override
        protected Logger createLogger(String name) {
            return new OneLineLogger(name);
        }
    };
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // the factory reads slf4j-simple's system properties when its first logger is made
    }

    /** The line for an exception: its type and message, then each cause's, no stack frames. */
    static String fold(Throwable t) {
        var out = new StringBuilder();
        int depth = 0;
        for (Throwable c = t; c != null && depth < 8; c = c.getCause() == c ? null : c.getCause(), depth++) {
            if (depth > 0) out.append("; caused by ");
            out.append(c.getClass().getName());
            if (c.getMessage() != null) out.append(": ").append(c.getMessage());
        }
        return out.toString().replace('\r', ' ').replace('\n', ' ');
    }

    private static final class OneLineLogger extends SimpleLogger {
        OneLineLogger(String name) {
            super(name);
        }

        @Override
        protected void handleNormalizedLoggingCall(
                Level level, Marker marker, String pattern, Object[] args, Throwable t) {
            if (t == null || traces) {
                super.handleNormalizedLoggingCall(level, marker, pattern, args, t);
                return;
            }
            String line = org.slf4j.helpers.MessageFormatter.basicArrayFormat(pattern, args);
            super.handleNormalizedLoggingCall(level, marker, "{} ({})", new Object[] {line, fold(t)}, null);
        }
    }
}
