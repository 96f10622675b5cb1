package dev.kyu.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a private RabbitMQ node keeps everything — data, logs, config, cookie — and the environment that
 * points the {@code rabbitmq-server} scripts there, so that it shares nothing with a system node but epmd.
 */
record RabbitNodeFiles(String nodeName, int amqpPort, int distPort, Path dir) {

    RabbitNodeFiles {
        dir = dir.toAbsolutePath();
    }

    Path logFile() {
        return dir.resolve("log").resolve("node.log");
    }

    Path consoleFile() {
        return dir.resolve("log").resolve("console.log");
    }

    Path pidFile() {
        return dir.resolve("node.pid");
    }

    /** Creates the directories and writes the config files; existing data is left as it is. */
    void write() {
        try {
            Files.createDirectories(dir.resolve("mnesia"));
            Files.createDirectories(dir.resolve("log"));
            Files.createDirectories(dir.resolve("home"));
            // A fixed list of no plugins: rabbitmq-plugins run elsewhere must not change this node.
            Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
            // Empty, so that /etc/rabbitmq/rabbitmq-env.conf (which names the system node) is not read.
            Files.writeString(dir.resolve("rabbitmq-env.conf"), "");
            Files.writeString(dir.resolve("advanced.config"), "[].\n");
            Files.write(
                    dir.resolve("rabbitmq.conf"),
                    List.of(
                            "listeners.tcp.1 = 127.0.0.1:" + amqpPort,
                            // Test machines often have little free disk: the default 50 MB alarm would block
                            // publishers.
                            "disk_free_limit.absolute = 1MB",
                            "log.console = false",
                            "log.file.level = info"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the RabbitMQ node's files under " + dir, e);
        }
    }

    /** The environment of both the server and rabbitmqctl (which needs the same HOME for the cookie). */
    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", dir.resolve("home").toString());
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_LOGS", logFile().toString());
        env.put("RABBITMQ_PID_FILE", pidFile().toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}");
        return env;
    }
}
