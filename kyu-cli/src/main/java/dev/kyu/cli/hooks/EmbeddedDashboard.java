package dev.kyu.cli.hooks;

import dev.kyu.Kyu;

/**
 * The dashboard served inside another command's process, for {@code kyu demo --serve}. The dashboard
 * module provides one through {@code META-INF/services/dev.kyu.cli.hooks.EmbeddedDashboard}; without one,
 * {@code --serve} keeps the demo's worker running and shows no URL.
 */
public interface EmbeddedDashboard {
    /** Serves the dashboard for {@code kyu} on loopback, on its default port. */
    Running start(Kyu kyu);

    /** A running dashboard. */
    interface Running extends AutoCloseable {
        /** Where to point a browser, e.g. {@code http://127.0.0.1:5555/}. */
        String url();

        @Override
        void close();
    }
}
