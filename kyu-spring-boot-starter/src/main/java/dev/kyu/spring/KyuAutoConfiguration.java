package dev.kyu.spring;

import dev.kyu.Kyu;
import dev.kyu.KyuException;
import dev.kyu.alert.AlertConfig;
import dev.kyu.alert.AlertFile;
import dev.kyu.dashboard.DashboardOptions;
import dev.kyu.dashboard.MountedDashboard;
import dev.kyu.dashboard.http.BasePath;
import dev.kyu.metrics.KyuMetrics;
import dev.kyu.schedule.Schedule;
import dev.kyu.schedule.ScheduleFile;
import dev.kyu.worker.WorkerOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Kyu in a Spring Boot 4.0 or 3.5 application: a {@link Kyu} on the configured broker, a
 * transaction-aware {@link KyuTemplate}, tasks found among the beans, the worker, beat and alerts on the
 * context's lifecycle, the dashboard, and Actuator health, endpoint and meters when Actuator is present.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"
        })
@EnableConfigurationProperties(KyuProperties.class)
public class KyuAutoConfiguration {

    @Bean
    static TaskBeans kyuTaskBeans() {
        return new TaskBeans();
    }

    @Bean
    BrokerChoice kyuBrokerChoice(KyuProperties properties, ListableBeanFactory beans) {
        return BrokerChoice.resolve(properties, beans);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Kyu kyu(BrokerChoice broker) {
        try {
            return Kyu.builder()
                    .broker(broker.url())
                    .brokerOptions(broker.options())
                    .build();
        } catch (KyuException e) {
            String from = broker.dataSource() != null ? "the application's DataSource" : "kyu.broker-url";
            throw new KyuStartupException("cannot open Kyu's broker from " + from + ": " + e.getMessage(), e);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    KyuTemplate kyuTemplate(Kyu kyu, BrokerChoice broker) {
        return new KyuTemplate(kyu, broker.dataSource());
    }

    @Bean
    @ConditionalOnMissingBean
    KyuRuntime kyuRuntime(Kyu kyu, KyuProperties properties, ResourceLoader resources) {
        WorkerOptions worker = properties.getWorker().isEnabled() ? workerOptions(properties.getWorker()) : null;
        List<Schedule> schedules = properties.getScheduler().isEnabled() ? schedules(properties, resources) : List.of();
        AlertConfig alerts = properties.getAlertsFile() == null ? null : alerts(properties.getAlertsFile(), resources);
        return new KyuRuntime(kyu, worker, schedules, alerts);
    }

    @Bean
    @ConditionalOnMissingBean
    KyuHealth kyuHealth(Kyu kyu, KyuRuntime runtime, KyuProperties properties) {
        return new KyuHealth(kyu, runtime, properties.getHealth().getTimeout());
    }

    static final String DASHBOARD_ON_PORT = "${kyu.dashboard.enabled:false} and '${kyu.dashboard.path:}'.isEmpty()";
    static final String DASHBOARD_MOUNTED = "${kyu.dashboard.enabled:false} and !'${kyu.dashboard.path:}'.isEmpty()";

    @Bean
    @ConditionalOnExpression(DASHBOARD_ON_PORT)
    KyuDashboard kyuDashboard(Kyu kyu, KyuProperties properties) {
        return new KyuDashboard(kyu, dashboardOptions(properties.getDashboard()));
    }

    static DashboardOptions dashboardOptions(KyuProperties.Dashboard d) {
        var options =
                DashboardOptions.builder().port(d.getPort()).bind(d.getBind()).readOnly(d.isReadOnly());
        if (d.getUser() != null || d.getPassword() != null) options.basicAuth(d.getUser(), d.getPassword());
        try {
            return options.build();
        } catch (KyuException e) {
            throw new KyuStartupException("kyu.dashboard: " + e.getMessage(), e);
        }
    }

    /** A path for the dashboard that nothing serves (no servlet server here) is a start-up error, not a silent no-op. */
    @Bean
    @ConditionalOnExpression(DASHBOARD_MOUNTED)
    SmartInitializingSingleton kyuDashboardPathCheck(ListableBeanFactory beans, KyuProperties properties) {
        return () -> {
            if (!beans.containsBean(DashboardServlet.BEAN)) {
                throw new KyuStartupException(
                        "kyu.dashboard.path=" + properties.getDashboard().getPath() + " needs the application's own "
                                + "servlet web server (Spring MVC on Tomcat, Jetty or Undertow); without one, leave kyu.dashboard.path out to serve the dashboard on kyu.dashboard.port");
            }
        };
    }

    /** The dashboard mounted under kyu.dashboard.path of the application's own servlet server. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {"jakarta.servlet.http.HttpServlet", "org.springframework.boot.web.servlet.ServletRegistrationBean"})
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnExpression(DASHBOARD_MOUNTED)
    static class DashboardServlet {
        static final String BEAN = "kyuDashboardServlet";

        @Bean(destroyMethod = "close")
        MountedDashboard kyuMountedDashboard(Kyu kyu, KyuProperties properties) {
            return MountedDashboard.create(kyu, dashboardOptions(properties.getDashboard()));
        }

        @Bean(BEAN)
        ServletRegistrationBean<KyuDashboardServlet> kyuDashboardServlet(
                MountedDashboard dashboard, KyuProperties properties) {
            String path;
            try {
                path = BasePath.normalize(properties.getDashboard().getPath());
            } catch (KyuException e) {
                throw new KyuStartupException("kyu.dashboard.path: " + e.getMessage(), e);
            }
            if (path.isEmpty())
                throw new KyuStartupException(
                        "kyu.dashboard.path must not be the root: the application answers there; use a path such as /kyu");
            var registration = new ServletRegistrationBean<>(new KyuDashboardServlet(dashboard), path + "/*");
            registration.setName("kyuDashboard");
            return registration;
        }
    }

    static WorkerOptions workerOptions(KyuProperties.Worker w) {
        try {
            return WorkerOptions.builder()
                    .queues(w.getQueues())
                    .concurrency(w.getConcurrency())
                    .leaseDuration(w.getLease())
                    .shutdownGrace(w.getShutdownGrace())
                    .fetchWait(w.getFetchWait())
                    .build();
        } catch (KyuException | IllegalArgumentException e) {
            throw new KyuStartupException("kyu.worker: " + e.getMessage(), e);
        }
    }

    /** The schedules of kyu.schedule-file and kyu.schedules, checked together by the schedule file's rules. */
    static List<Schedule> schedules(KyuProperties p, ResourceLoader resources) {
        var all = new ArrayList<Schedule>();
        if (p.getScheduleFile() != null) {
            Resource r = resources.getResource(p.getScheduleFile());
            all.addAll(parseSchedules(read(r, "kyu.schedule-file"), String.valueOf(r.getFilename())));
        }
        if (!p.getSchedules().isEmpty()) {
            var options = new DumperOptions();
            options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("schedules", p.getSchedules());
            all.addAll(parseSchedules(new Yaml(options).dump(root), "kyu.schedules"));
        }
        var names = new java.util.HashSet<String>();
        for (Schedule s : all) {
            if (!names.add(s.name()))
                throw new KyuStartupException(
                        "schedule '" + s.name() + "' is defined twice (kyu.schedule-file and kyu.schedules)");
        }
        return all;
    }

    private static List<Schedule> parseSchedules(String yaml, String source) {
        try {
            return ScheduleFile.parse(yaml, source);
        } catch (KyuException e) {
            throw new KyuStartupException("bad schedule in " + source + ": " + e.getMessage(), e);
        }
    }

    static AlertConfig alerts(String location, ResourceLoader resources) {
        Resource r = resources.getResource(location);
        try {
            return AlertFile.parse(String.valueOf(r.getFilename()), read(r, "kyu.alerts-file"), System::getenv);
        } catch (KyuException e) {
            throw new KyuStartupException("bad kyu.alerts-file " + location + ": " + e.getMessage(), e);
        }
    }

    private static String read(Resource r, String property) {
        try {
            return r.getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KyuStartupException(property + ": cannot read " + r.getDescription() + ": " + e.getMessage(), e);
        }
    }

    /** Meters with task and queue tags in the application's own MeterRegistry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnProperty(prefix = "kyu.metrics", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Metrics {
        @Bean
        SmartInitializingSingleton kyuMetricsBinder(Kyu kyu, ObjectProvider<MeterRegistry> registry) {
            // Bound once every bean exists: Boot makes its registry in an auto-configuration that may come later.
            return () -> registry.ifAvailable(r -> KyuMetrics.bind(kyu, r));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class Boot4Health {
        @Bean
        @ConditionalOnMissingBean(name = "kyuHealthIndicator")
        KyuHealthIndicator kyuHealthIndicator(KyuHealth health) {
            return new KyuHealthIndicator(health);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = Boot3Health.INDICATOR)
    @ConditionalOnMissingClass("org.springframework.boot.health.contributor.HealthIndicator")
    @Import(Boot3Health.class)
    static class Boot3HealthConfiguration {}

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class Endpoint {
        @Bean
        @ConditionalOnMissingBean
        KyuEndpoint kyuEndpoint(Kyu kyu, KyuHealth health) {
            return new KyuEndpoint(kyu, health);
        }
    }
}
