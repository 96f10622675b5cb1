package dev.kyu.testkit.faults;

import java.util.List;
import java.util.Random;

/**
 * What the fault suite needs of one engine: where its broker is, how to write garbage into its storage
 * behind Kyu's back, and which broker faults it can stage. One fixture per test run, closed at its end.
 */
public interface FaultFixture extends AutoCloseable {
    /** How the broker can be restarted. */
    enum Restart {
        /** The server process is killed (SIGKILL) and started again on its data. */
        SERVER,
        /** No server: every process holding the storage is killed, the test's own client reopened. */
        HOLDERS,
        NONE
    }

    /** The engine's name, for the figures ("sqlite", "redis", …). */
    String engine();

    /** The URL the test's own client (producer, checks) uses: straight to the broker. */
    String brokerUrl();

    /** The URL worker JVMs use; through a {@link TcpProxy} where the broker can be blackholed. */
    default String workerUrl() {
        return brokerUrl();
    }

    /**
     * Every garbage case the engine's storage admits, each a function that writes it; the suite plants them
     * at random moments of the run. A case writes one job (in {@code queue}, unless the garbage is the queue)
     * or one entry of another key or table.
     */
    List<GarbageCase> garbage(String queue);

    default Restart restart() {
        return Restart.NONE;
    }

    /** Kills the broker's server and starts it again on the same data ({@link Restart#SERVER}). */
    default void restartServer() throws Exception {
        throw new UnsupportedOperationException(engine() + " has no server to restart");
    }

    /** True when {@link #workerUrl()} goes through a proxy that {@link #dark()} can blackhole. */
    default boolean blackholes() {
        return false;
    }

    default void dark() {
        throw new UnsupportedOperationException(engine() + " cannot be blackholed");
    }

    default void light() {
        throw new UnsupportedOperationException(engine() + " cannot be blackholed");
    }

    /** Fixtures throw nothing checked on close, so that tests can close them in a finally. */
    @Override
    void close();

    /** Chooses at random, for fixtures that vary a value across cases. */
    static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }
}
