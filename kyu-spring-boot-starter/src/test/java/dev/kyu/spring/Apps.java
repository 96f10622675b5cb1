package dev.kyu.spring;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts a test application of its own, for the tests that stop it, break it or configure it differently. */
final class Apps {
    private Apps() {}

    static ConfigurableApplicationContext start(List<Class<?>> sources, String... properties) {
        var all = new ArrayList<Class<?>>();
        all.add(TestApp.class);
        all.addAll(sources);
        return new SpringApplicationBuilder(all.toArray(Class<?>[]::new))
                .web(WebApplicationType.NONE)
                .properties("spring.main.banner-mode=off", "kyu.worker.fetch-wait=100ms")
                .properties(properties)
                .run();
    }

    static ConfigurableApplicationContext start(String... properties) {
        return start(List.of(), properties);
    }

    /** The Kyu start-up error in a failed start's causes. */
    static KyuStartupException kyuFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KyuStartupException k) return k;
        }
        throw new AssertionError("the start failed, but not for a Kyu reason: " + failure, failure);
    }
}
