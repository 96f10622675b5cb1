package dev.kyu.spring;

import dev.kyu.Kyu;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.util.ClassUtils;

/**
 * Which broker the application uses: a URL from {@code kyu.broker-url}, or one of its own DataSources
 * ({@code kyu.data-source.enabled}), whose database then holds Kyu's tables and whose transactions
 * enqueues join.
 *
 * @param url         the broker URL
 * @param options     engine options (the DataSource's login, then kyu.broker-options)
 * @param dataSource  the application's DataSource the broker shares, or null
 */
record BrokerChoice(String url, Map<String, String> options, DataSource dataSource) {

    static BrokerChoice resolve(KyuProperties p, ListableBeanFactory beans) {
        var ds = p.getDataSource();
        if (!ds.isEnabled()) {
            if (ds.getName() != null && !ds.getName().isBlank()) {
                throw new KyuStartupException(
                        "kyu.data-source.name is set but kyu.data-source.enabled is not: set kyu.data-source.enabled=true to use DataSource '"
                                + ds.getName() + "' as the broker");
            }
            String url = p.getBrokerUrl() == null || p.getBrokerUrl().isBlank()
                    ? Kyu.defaultBrokerUrl()
                    : p.getBrokerUrl().trim();
            return new BrokerChoice(url, Map.copyOf(p.getBrokerOptions()), null);
        }
        if (p.getBrokerUrl() != null && !p.getBrokerUrl().isBlank()) {
            throw new KyuStartupException(
                    "kyu.broker-url and kyu.data-source.enabled=true both choose the broker: keep one");
        }
        DataSource dataSource = find(beans, ds.getName());
        String name = ds.getName() == null ? "the application's DataSource" : "DataSource '" + ds.getName() + "'";
        var options = new LinkedHashMap<String, String>();
        String jdbcUrl = login(dataSource, name, options);
        String url = brokerUrl(jdbcUrl, name, options);
        options.putAll(p.getBrokerOptions());
        return new BrokerChoice(url, Map.copyOf(options), dataSource);
    }

    private static DataSource find(ListableBeanFactory beans, String name) {
        try {
            if (name == null || name.isBlank()) return beans.getBean(DataSource.class);
            return beans.getBean(name, DataSource.class);
        } catch (NoUniqueBeanDefinitionException e) {
            throw new KyuStartupException("kyu.data-source.enabled=true but the application has several DataSources "
                    + String.join(", ", beans.getBeanNamesForType(DataSource.class))
                    + ": name one with kyu.data-source.name");
        } catch (NoSuchBeanDefinitionException e) {
            String known = String.join(", ", beans.getBeanNamesForType(DataSource.class));
            throw new KyuStartupException(
                    name == null || name.isBlank()
                            ? "kyu.data-source.enabled=true but the application has no DataSource: configure spring.datasource.* or set kyu.broker-url"
                            : "kyu.data-source.name=" + name + " names no DataSource bean"
                                    + (known.isEmpty() ? "" : " (there are: " + known + ")"));
        }
    }

    /** The DataSource's JDBC URL; its login goes into {@code options} when it can be read. */
    private static String login(DataSource ds, String name, Map<String, String> options) {
        if (ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource", BrokerChoice.class.getClassLoader())) {
            String url = Hikari.url(ds, options);
            if (url != null) return url;
        }
        // Another pool: its URL and user from a connection; a password it does not expose cannot be passed on.
        try (Connection c = ds.getConnection()) {
            var meta = c.getMetaData();
            if (meta.getUserName() != null
                    && meta.getURL() != null
                    && meta.getURL().startsWith("jdbc:postgresql:")) {
                options.put("user", meta.getUserName());
            }
            return meta.getURL();
        } catch (SQLException e) {
            throw new KyuStartupException("cannot read the JDBC URL of " + name + ": " + e.getMessage(), e);
        }
    }

    private static String brokerUrl(String jdbcUrl, String name, Map<String, String> options) {
        if (jdbcUrl == null) throw new KyuStartupException(name + " has no JDBC URL: set kyu.broker-url instead");
        String lower = jdbcUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql://")) return jdbcUrl;
        if (lower.startsWith("jdbc:sqlite:")) {
            String path = jdbcUrl.substring("jdbc:sqlite:".length());
            int q = path.indexOf('?');
            if (q >= 0) path = path.substring(0, q);
            if (path.startsWith("file:")) path = path.substring("file:".length());
            if (path.isEmpty() || path.contains(":memory:") || lower.contains("mode=memory")) {
                throw new KyuStartupException(
                        name + " is an in-memory SQLite database, which Kyu's worker cannot share: use a file");
            }
            options.remove("user");
            options.remove("password");
            // The file holds the application's tables too, on purpose: Kyu's go beside them.
            options.put("shared", "true");
            return "sqlite:" + path;
        }
        String scheme = jdbcUrl.indexOf(':', 5) > 0 ? jdbcUrl.substring(0, jdbcUrl.indexOf(':', 5)) : jdbcUrl;
        throw new KyuStartupException(name + " is " + scheme
                + ": Kyu can share a PostgreSQL or SQLite DataSource only; set kyu.broker-url instead");
    }

    /** Kept apart so that HikariCP is loaded only when it is on the class path. */
    private static final class Hikari {
        static String url(DataSource ds, Map<String, String> options) {
            com.zaxxer.hikari.HikariDataSource h;
            try {
                if (!ds.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)) return null;
                h = ds.unwrap(com.zaxxer.hikari.HikariDataSource.class);
            } catch (SQLException e) {
                return null;
            }
            if (h.getJdbcUrl() == null) return null;
            if (h.getUsername() != null) options.put("user", h.getUsername());
            if (h.getPassword() != null) options.put("password", h.getPassword());
            return h.getJdbcUrl();
        }
    }
}
