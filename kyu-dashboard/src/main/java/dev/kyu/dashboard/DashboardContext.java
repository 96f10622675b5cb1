package dev.kyu.dashboard;

import dev.kyu.Kyu;
import dev.kyu.client.Admin;
import dev.kyu.dashboard.schedule.ScheduleSource;
import dev.kyu.metrics.KyuMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** What every page and endpoint shares: the Kyu it shows, its admin side, the options, metrics and schedules. */
public record DashboardContext(
        Kyu kyu,
        Admin admin,
        DashboardOptions options,
        PrometheusMeterRegistry prometheus,
        KyuMetrics metrics,
        ScheduleSource schedules) {}
