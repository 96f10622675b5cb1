package dev.kyu.cli.hooks;

import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the optional in-process parts (scheduler, dashboard) that other modules plug into the CLI. */
public final class Hooks {
    private Hooks() {}

    public static Optional<EmbeddedBeat> beat() {
        return ServiceLoader.load(EmbeddedBeat.class, Hooks.class.getClassLoader())
                .findFirst();
    }

    public static Optional<EmbeddedDashboard> dashboard() {
        return ServiceLoader.load(EmbeddedDashboard.class, Hooks.class.getClassLoader())
                .findFirst();
    }
}
