package dev.kyu.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Kyu's settings under {@code kyu.*} (docs/spring-boot.md has the table). */
@ConfigurationProperties(prefix = "kyu")
public class KyuProperties {
    /**
     * The broker URL: memory:, sqlite:PATH, redis://HOST[:PORT][/DB] or postgresql://HOST[:PORT]/DB. Unset
     * (and kyu.data-source.enabled false): KYU_BROKER from the environment, else sqlite:kyu.db.
     */
    private String brokerUrl;

    /** Engine options passed to the broker (documented per engine in docs/brokers). */
    private Map<String, String> brokerOptions = new LinkedHashMap<>();

    /** A YAML schedule file (docs/scheduling.md), read at start; its schedules join those under kyu.schedules. */
    private String scheduleFile;

    /**
     * Periodic schedules by name, with the fields of the schedule file: task, cron or every, zone, args, queue,
     * missed, overlap. Values read from properties are strings; use the schedule file for typed args.
     */
    private Map<String, Map<String, Object>> schedules = new LinkedHashMap<>();

    /** A YAML alerts file (docs/alerts.md): its rules are evaluated by one elected process of the application. */
    private String alertsFile;

    private final DataSource dataSource = new DataSource();
    private final Worker worker = new Worker();
    private final Scheduler scheduler = new Scheduler();
    private final Dashboard dashboard = new Dashboard();
    private final Health health = new Health();
    private final Metrics metrics = new Metrics();

    public String getBrokerUrl() {
        return brokerUrl;
    }

    public void setBrokerUrl(String brokerUrl) {
        this.brokerUrl = brokerUrl;
    }

    public Map<String, String> getBrokerOptions() {
        return brokerOptions;
    }

    public void setBrokerOptions(Map<String, String> brokerOptions) {
        this.brokerOptions = brokerOptions;
    }

    public String getScheduleFile() {
        return scheduleFile;
    }

    public void setScheduleFile(String scheduleFile) {
        this.scheduleFile = scheduleFile;
    }

    public Map<String, Map<String, Object>> getSchedules() {
        return schedules;
    }

    public void setSchedules(Map<String, Map<String, Object>> schedules) {
        this.schedules = schedules;
    }

    public String getAlertsFile() {
        return alertsFile;
    }

    public void setAlertsFile(String alertsFile) {
        this.alertsFile = alertsFile;
    }

    public DataSource getDataSource() {
        return dataSource;
    }

    public Worker getWorker() {
        return worker;
    }

    public Scheduler getScheduler() {
        return scheduler;
    }

    public Dashboard getDashboard() {
        return dashboard;
    }

    public Health getHealth() {
        return health;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    /** Using the application's own DataSource as the broker (PostgreSQL or SQLite). */
    public static class DataSource {
        /** Use an application DataSource as the broker, so that enqueues join its transactions. */
        private boolean enabled;
        /** The DataSource bean to use when the application has several; unset: the only (or primary) one. */
        private String name;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }
    }

    public static class Worker {
        /** Run a worker in this application; off for a producer-only service. */
        private boolean enabled = true;
        /** The queues to read, in order. */
        private List<String> queues = new ArrayList<>(List.of("default"));
        /** The most jobs running at once. */
        private int concurrency = 10;
        /** How long a fetched job is leased before another worker may take it over; extended while it runs. */
        private Duration lease = Duration.ofSeconds(30);
        /** How long running jobs may finish at shutdown before they are interrupted and handed back. */
        private Duration shutdownGrace = Duration.ofSeconds(25);
        /** The longest a fetch waits for work before asking again. */
        private Duration fetchWait = Duration.ofSeconds(1);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getQueues() {
            return queues;
        }

        public void setQueues(List<String> queues) {
            this.queues = queues;
        }

        public int getConcurrency() {
            return concurrency;
        }

        public void setConcurrency(int concurrency) {
            this.concurrency = concurrency;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public Duration getShutdownGrace() {
            return shutdownGrace;
        }

        public void setShutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = shutdownGrace;
        }

        public Duration getFetchWait() {
            return fetchWait;
        }

        public void setFetchWait(Duration fetchWait) {
            this.fetchWait = fetchWait;
        }
    }

    public static class Scheduler {
        /** Enqueue the schedules' ticks from this application (one elected process enqueues each tick). */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public static class Dashboard {
        /** Serve Kyu's dashboard from this application: on its own port, or under {@code path}. */
        private boolean enabled;
        /** The dashboard's port; 0 picks a free one. Unused with {@code path}. */
        private int port = 5555;
        /**
         * Serve the dashboard under this path of the application's own servlet server (e.g. {@code /kyu})
         * instead of on a port of its own. Without credentials it answers only requests from this machine.
         */
        private String path;
        /** The address to bind; a non-loopback address needs credentials. */
        private String bind = "127.0.0.1";
        /** Basic-auth user (with password). */
        private String user;
        /** Basic-auth password, 8 characters or more. */
        private String password;
        /** Hide and refuse every action. */
        private boolean readOnly;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getBind() {
            return bind;
        }

        public void setBind(String bind) {
            this.bind = bind;
        }

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public boolean isReadOnly() {
            return readOnly;
        }

        public void setReadOnly(boolean readOnly) {
            this.readOnly = readOnly;
        }
    }

    public static class Health {
        /** How long the health check waits for the broker's answer before reporting it unreachable. */
        private Duration timeout = Duration.ofSeconds(2);

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    public static class Metrics {
        /** Count jobs into the application's MeterRegistry (task and queue tags). */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
