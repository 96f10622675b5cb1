package dev.kyu.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kyu.Kyu;
import dev.kyu.codec.JsonCodec;
import dev.kyu.job.JobOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Workflows listed newest first, by the state their end job records, with paging; plain jobs are no workflows. */
class WorkflowListTest {
    private final Kyu kyu = Kyu.inline();

    @AfterEach
    void close() {
        kyu.close();
    }

    private WorkflowHandle run(String name, boolean fail) {
        var step = fail
                ? Call.of("kyu.fail", Map.of("message", "no"))
                        .options(JobOptions.builder().maxAttempts(1).build())
                : Call.of("kyu.noop", Map.of());
        return kyu.enqueue(Workflow.builder(name).step("a", step).build());
    }

    @Test
    void listsByStateNewestFirstAndPages() {
        String ok1 = run("ok-1", false).id();
        String bad = run("bad", true).id();
        kyu.enqueueJson("kyu.noop", "{}", JobOptions.NONE);
        String ok2 = run("ok-2", false).id();
        var codec = JsonCodec.shared();

        assertThat(ids(WorkflowList.page(kyu.broker(), codec, null, 10, 0))).containsExactly(ok2, bad, ok1);
        assertThat(ids(WorkflowList.page(kyu.broker(), codec, WorkflowState.SUCCEEDED, 10, 0)))
                .containsExactly(ok2, ok1);
        assertThat(ids(WorkflowList.page(kyu.broker(), codec, WorkflowState.SUCCEEDED, 1, 1)))
                .containsExactly(ok1);
        assertThat(ids(WorkflowList.page(kyu.broker(), codec, WorkflowState.FAILED, 10, 0)))
                .containsExactly(bad);
        assertThat(WorkflowList.page(kyu.broker(), codec, WorkflowState.RUNNING, 10, 0))
                .isEmpty();
        assertThat(WorkflowList.page(kyu.broker(), codec, null, 10, 3)).isEmpty();
        assertThat(WorkflowList.stateOf(codec, kyu.broker().jobGet(bad).orElseThrow()))
                .isEqualTo(WorkflowState.FAILED);
    }

    @Test
    void aCursorPagesByWorkflowIdAndKeepsTheStateFilter() {
        String ok1 = run("ok-1", false).id();
        String bad1 = run("bad-1", true).id();
        String ok2 = run("ok-2", false).id();
        String bad2 = run("bad-2", true).id();
        var codec = JsonCodec.shared();

        assertThat(ids(WorkflowList.page(kyu.broker(), codec, null, 2, 0, null)))
                .containsExactly(bad2, ok2);
        assertThat(ids(WorkflowList.page(kyu.broker(), codec, null, 2, 0, ok2))).containsExactly(bad1, ok1);
        assertThat(WorkflowList.page(kyu.broker(), codec, null, 2, 0, ok1)).isEmpty();
        assertThat(ids(WorkflowList.page(kyu.broker(), codec, WorkflowState.FAILED, 1, 0, bad2)))
                .containsExactly(bad1);
        // the cursor need not be a workflow of the state asked for
        assertThat(ids(WorkflowList.page(kyu.broker(), codec, WorkflowState.SUCCEEDED, 5, 0, bad2)))
                .containsExactly(ok2, ok1);
        assertThatThrownBy(() -> WorkflowList.page(kyu.broker(), codec, null, 2, 1, ok2))
                .hasMessageContaining("not both");
    }

    @Test
    void aStateFilterLooksPastOnePageOfEndJobs() {
        // more end jobs than one broker call reads: the match is found on a later page, walked by cursor
        String bad = run("bad", true).id();
        var ok = new java.util.ArrayList<String>();
        for (int i = 0; i < 520; i++) ok.add(run("ok-" + i, false).id());
        var codec = JsonCodec.shared();

        assertThat(ids(WorkflowList.page(kyu.broker(), codec, WorkflowState.FAILED, 10, 0)))
                .containsExactly(bad);
        assertThat(ids(WorkflowList.page(kyu.broker(), codec, null, 3, 0, ok.get(2))))
                .containsExactly(ok.get(1), ok.get(0), bad);
        assertThat(ids(WorkflowList.page(kyu.broker(), codec, WorkflowState.SUCCEEDED, 1, 519)))
                .containsExactly(ok.get(0));
    }

    private static List<String> ids(List<WorkflowView> views) {
        return views.stream().map(WorkflowView::id).toList();
    }
}
