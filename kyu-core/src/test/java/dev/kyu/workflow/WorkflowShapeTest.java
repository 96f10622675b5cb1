package dev.kyu.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kyu.KyuException;
import dev.kyu.spi.Capability;
import dev.kyu.task.Task;
import dev.kyu.task.TaskRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How chains, groups and chords become steps, and what the check before enqueue refuses. */
class WorkflowShapeTest {
    private final Task<JsonNode, Object> a = Task.of("t.a", JsonNode.class, (x, ctx) -> null);
    private final Task<JsonNode, Object> b = Task.of("t.b", JsonNode.class, (x, ctx) -> null);
    private final TaskRegistry tasks = TaskRegistry.withBuiltins().register(a).register(b);

    private static List<String> names(Workflow w) {
        return w.steps().stream().map(Step::name).toList();
    }

    @Test
    void aChainLinksEachStageToTheOneBefore() {
        Workflow w = Workflow.chain(a.with(null), b, a);
        assertThat(names(w)).containsExactly("t.a", "t.b", "t.a-2");
        assertThat(w.steps()).extracting(Step::after).containsExactly(List.of(), List.of("t.a"), List.of("t.b"));
        assertThat(w.steps().get(1).call().fromParents()).isTrue();
    }

    @Test
    void aChordJoinsEveryBranchOfItsGroupAndNestedGroupsKeepDistinctNames() {
        Workflow w = Workflow.chord(Workflow.group(a.with(null), a.with(null), Workflow.chain(b.with(null), a)), b);
        assertThat(names(w)).containsExactly("t.a", "t.a-2", "t.b", "t.a-3", "t.b-2");
        assertThat(w.steps().get(3).after()).containsExactly("t.b");
        assertThat(w.steps().get(4).after()).containsExactly("t.a", "t.a-2", "t.a-3");
    }

    @Test
    void anEmptyGroupInAChainPassesTheEarlierStepsOn() {
        Workflow w = Workflow.chain(a.with(null), Workflow.group(), b);
        assertThat(w.steps().get(1).after()).containsExactly("t.a");
    }

    @Test
    void theCheckOrdersParentsFirstAndNamesACycle() {
        var ok = Workflow.builder("w")
                .step("d", b)
                .after("c")
                .step("c", a)
                .after("x")
                .step("x", Call.ofJson("t.a", "1"))
                .build();
        var ordered = WorkflowCheck.check(ok, tasks, Set.of(Capability.JOB_LINKS), "memory:");
        assertThat(ordered.steps()).extracting(Step::name).containsExactly("x", "c", "d");

        var cycle = Workflow.builder("w")
                .step("p", a)
                .after("r")
                .step("q", a)
                .after("p")
                .step("r", a)
                .after("q")
                .step("s", Call.ofJson("t.a", "1"))
                .build();
        assertThatThrownBy(() -> WorkflowCheck.check(cycle, tasks, Set.of(Capability.JOB_LINKS), "memory:"))
                .isInstanceOf(KyuException.InvalidInput.class)
                .hasMessage("workflow 'w' has a cycle: q -> r -> p -> q");
        var self = Workflow.builder("w").step("p", a).after("p").build();
        assertThatThrownBy(() -> WorkflowCheck.check(self, tasks, Set.of(Capability.JOB_LINKS), "memory:"))
                .hasMessage("step 'p' of workflow 'w' runs after itself");
    }

    @Test
    void aFanInOfTenThousandIsCheckedInOnePass() {
        var parts = new ArrayList<Call<JsonNode, Object>>();
        for (int i = 0; i < Workflow.MAX_STEPS - 1; i++) parts.add(a.with(null));
        Workflow w = Workflow.chord(Workflow.group(parts), b);
        assertThat(w.size()).isEqualTo(Workflow.MAX_STEPS);
        var ordered = WorkflowCheck.check(w, tasks, Set.of(Capability.JOB_LINKS), "memory:");
        assertThat(ordered.parents().get(Workflow.MAX_STEPS - 1)).hasSize(Workflow.MAX_STEPS - 1);
    }

    @Test
    void aStepWithAUniqueKeyIsRefused() {
        var w = Workflow.chain(a.with(null).options(dev.kyu.job.JobOptions.NONE.withUniqueKey("k")));
        assertThatThrownBy(() -> WorkflowCheck.check(w, tasks, Set.of(Capability.JOB_LINKS), "memory:"))
                .hasMessageContaining("has a unique key");
    }
}
