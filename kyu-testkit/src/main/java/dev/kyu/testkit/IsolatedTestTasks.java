package dev.kyu.testkit;

import dev.kyu.task.JobContext;
import dev.kyu.task.KyuTask;

/**
 * Tasks for the isolated-mode tests: classes with public no-argument constructors, so that a child JVM
 * can load them by name.
 */
public final class IsolatedTestTasks {
    private IsolatedTestTasks() {}

    public record Division(int dividend, int divisor) {}

    public record Nothing(String note) {}

    /**
     * Says it has started (as progress), then spins without ever looking at its interrupt, like a stuck
     * native call: only a kill stops it.
     */
    public static final class Spin implements KyuTask<Nothing, String> {
        @Override
        public String name() {
            return "iso.spin";
        }

        @Override
        public Class<Nothing> argsType() {
            return Nothing.class;
        }

        @Override
        public String run(Nothing args, JobContext ctx) {
            ctx.progress(0.0, "spinning");
            long n = 0;
            while (n >= 0) n = (n + 1) & Long.MAX_VALUE;
            return "never";
        }
    }

    /** Divides, reporting its progress and its pid; a zero divisor throws {@link ArithmeticException}. */
    public static final class Divide implements KyuTask<Division, String> {
        @Override
        public String name() {
            return "iso.divide";
        }

        @Override
        public Class<Division> argsType() {
            return Division.class;
        }

        @Override
        public String run(Division args, JobContext ctx) {
            int q = args.dividend() / args.divisor();
            ctx.progress(1.0, "divided");
            return q + " from pid " + ProcessHandle.current().pid();
        }
    }

    /** Ends its JVM on the first attempt (a crash), succeeds on the next. */
    public static final class CrashOnce implements KyuTask<Nothing, String> {
        @Override
        public String name() {
            return "iso.crash-once";
        }

        @Override
        public Class<Nothing> argsType() {
            return Nothing.class;
        }

        @Override
        public String run(Nothing args, JobContext ctx) {
            if (ctx.attempt() == 1) System.exit(7);
            return "survived attempt " + ctx.attempt();
        }
    }
}
