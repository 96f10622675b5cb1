package dev.kyu.spring;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The {@code kyu} health contributor on Spring Boot 4 (Boot 3.5 gets the same through {@link Boot3Health}). */
public final class KyuHealthIndicator implements HealthIndicator {
    private final KyuHealth health;

    public KyuHealthIndicator(KyuHealth health) {
        this.health = health;
    }

    @Override
    public Health health() {
        KyuHealth.Report r = health.check();
        return (r.up() ? Health.up() : Health.down()).withDetails(r.details()).build();
    }
}
