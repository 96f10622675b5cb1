package dev.kyu.workflow;

/**
 * A workflow's state: RUNNING until its end job has run, then what that job decided. Compensations that are
 * still running do not make a state of their own; they are listed with their jobs ({@link WorkflowView}).
 */
public enum WorkflowState {
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean isTerminal() {
        return this != RUNNING;
    }
}
