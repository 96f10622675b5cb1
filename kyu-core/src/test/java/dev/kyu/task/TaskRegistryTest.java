package dev.kyu.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.KyuException;
import org.junit.jupiter.api.Test;

class TaskRegistryTest {
    record Args(String x) {}

    @Test
    void builtinsArePresent() {
        var r = TaskRegistry.withBuiltins();
        assertThat(r.tasks())
                .extracting(KyuTask::name)
                .containsExactly("kyu.echo", "kyu.fail", "kyu.noop", "kyu.sleep", "kyu.workflow");
    }

    @Test
    void aliasesKeepOldNamesRunningAfterARename() {
        var t = Task.of("billing.charge", Args.class, (a, c) -> null)
                .withOptions(TaskOptions.DEFAULTS.withAliases("payments.charge"));
        var r = new TaskRegistry().register(t);
        assertThat(r.find("payments.charge")).containsSame(t);
        assertThat(r.tasks()).containsExactly(t);
    }

    @Test
    void aNameRegisteredTwiceIsRefused() {
        var r = new TaskRegistry().register(Task.of("a.b", Args.class, (a, c) -> null));
        assertThatThrownBy(() -> r.register(Task.of("a.b", Args.class, (a, c) -> 1)))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessageStartingWith("task name 'a.b' is registered twice");
    }

    @Test
    void classesAreLoadedOnlyWhenTheyAreTasks() {
        var r = new TaskRegistry();
        assertThatThrownBy(() -> r.registerClass("java.lang.String", getClass().getClassLoader()))
                .hasMessage("class java.lang.String is neither a dev.kyu.task.KyuTask nor a dev.kyu.task.TaskBundle");
        assertThatThrownBy(
                        () -> r.registerClass("com.example.Missing", getClass().getClassLoader()))
                .hasMessage("task class com.example.Missing is not on the class path");
        assertThatThrownBy(
                        () -> r.registerClass(Boom.class.getName(), getClass().getClassLoader()))
                .hasMessage("task class " + Boom.class.getName()
                        + " failed in its constructor: java.lang.IllegalStateException: no mail server configured");
        assertThatThrownBy(
                        () -> r.registerClass(NoList.class.getName(), getClass().getClassLoader()))
                .hasMessage("task bundle " + NoList.class.getName() + " returned no task list (tasks() gave null)");
    }

    /** A bundle whose set-up fails, as one missing its configuration would. */
    public static final class Boom implements TaskBundle {
        public Boom() {
            throw new IllegalStateException("no mail server configured");
        }

        @Override
        public java.util.List<KyuTask<?, ?>> tasks() {
            return java.util.List.of();
        }
    }

    public static final class NoList implements TaskBundle {
        @Override
        public java.util.List<KyuTask<?, ?>> tasks() {
            return null;
        }
    }

    @Test
    void retryRulesFollowRetryOnAndAbortOn() {
        var o = TaskOptions.DEFAULTS.withRetryOn(java.io.IOException.class);
        assertThat(o.isRetryable(new java.io.IOException("x"))).isTrue();
        assertThat(o.isRetryable(new IllegalStateException("x"))).isFalse();
        assertThat(TaskOptions.DEFAULTS.isRetryable(new NonRetryableException("x")))
                .isFalse();
        assertThat(TaskOptions.DEFAULTS
                        .withAbortOn(IllegalArgumentException.class)
                        .isRetryable(new IllegalArgumentException()))
                .isFalse();
    }
}
