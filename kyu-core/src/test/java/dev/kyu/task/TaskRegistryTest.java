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
        assertThat(r.tasks()).extracting(KyuTask::name).containsExactly("kyu.echo", "kyu.fail", "kyu.noop", "kyu.sleep");
    }

    @Test
    void aliasesKeepOldNamesRunningAfterARename() {
        var t = Task.of("billing.charge", Args.class, (a, c) -> null).withOptions(TaskOptions.DEFAULTS.withAliases("payments.charge"));
        var r = new TaskRegistry().register(t);
        assertThat(r.find("payments.charge")).containsSame(t);
        assertThat(r.tasks()).containsExactly(t);
    }

    @Test
    void aNameRegisteredTwiceIsRefused() {
        var r = new TaskRegistry().register(Task.of("a.b", Args.class, (a, c) -> null));
        assertThatThrownBy(() -> r.register(Task.of("a.b", Args.class, (a, c) -> 1)))
                .isInstanceOf(KyuException.InvalidInput.class).hasMessageStartingWith("task name 'a.b' is registered twice");
    }

    @Test
    void classesAreLoadedOnlyWhenTheyAreTasks() {
        var r = new TaskRegistry();
        assertThatThrownBy(() -> r.registerClass("java.lang.String", getClass().getClassLoader()))
                .hasMessage("class java.lang.String is neither a dev.kyu.task.KyuTask nor a dev.kyu.task.TaskBundle");
        assertThatThrownBy(() -> r.registerClass("com.example.Missing", getClass().getClassLoader()))
                .hasMessage("task class com.example.Missing is not on the class path");
    }

    @Test
    void retryRulesFollowRetryOnAndAbortOn() {
        var o = TaskOptions.DEFAULTS.withRetryOn(java.io.IOException.class);
        assertThat(o.isRetryable(new java.io.IOException("x"))).isTrue();
        assertThat(o.isRetryable(new IllegalStateException("x"))).isFalse();
        assertThat(TaskOptions.DEFAULTS.isRetryable(new NonRetryableException("x"))).isFalse();
        assertThat(TaskOptions.DEFAULTS.withAbortOn(IllegalArgumentException.class).isRetryable(new IllegalArgumentException())).isFalse();
    }
}
