package dev.kyu.cli.hooks;

import dev.kyu.Kyu;
import dev.kyu.dashboard.Dashboard;
import dev.kyu.dashboard.DashboardOptions;

/**
 * Serves the dashboard inside another command's process ({@code kyu demo --serve}) on loopback at its
 * default port.
 */
public final class DashboardHook implements EmbeddedDashboard {
    /** Port 5555, or any free port when 5555 is taken (a demo should not fail over a busy port). */
    @Override
    public Running start(Kyu kyu) {
        Dashboard d;
        try {
            d = Dashboard.start(kyu, DashboardOptions.defaults());
        } catch (dev.kyu.KyuException.InvalidInput busy) {
            d = Dashboard.start(kyu, DashboardOptions.builder().port(0).build());
        }
        Dashboard started = d;
        return new Running() {
            @Override
            public String url() {
                return started.url();
            }

            @Override
            public void close() {
                started.close();
            }
        };
    }
}
