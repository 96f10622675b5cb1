package dev.kyu.spring;

import dev.kyu.Kyu;
import dev.kyu.dashboard.Dashboard;
import dev.kyu.dashboard.DashboardOptions;
import org.springframework.context.SmartLifecycle;

/** Kyu's dashboard served from the application on a port of its own, for as long as the context runs. */
public final class KyuDashboard implements SmartLifecycle {
    private final Kyu kyu;
    private final DashboardOptions options;
    private volatile Dashboard dashboard;

    public KyuDashboard(Kyu kyu, DashboardOptions options) {
        this.kyu = kyu;
        this.options = options;
    }

    @Override
    public synchronized void start() {
        if (dashboard == null) dashboard = Dashboard.start(kyu, options);
    }

    @Override
    public synchronized void stop() {
        if (dashboard != null) {
            dashboard.close();
            dashboard = null;
        }
    }

    @Override
    public boolean isRunning() {
        return dashboard != null;
    }

    /** Where the dashboard answers, e.g. {@code http://127.0.0.1:5555/}; null while stopped. */
    public String url() {
        Dashboard d = dashboard;
        return d == null ? null : d.url();
    }
}
