package dev.kyu.workflow;

/**
 * Anything a workflow can be composed of: a task called with args ({@link Call}), a bare task (its args come
 * from the steps before it), or a whole {@link Workflow} nested in a chain, group or chord. Kyu's own types
 * are the only implementations; {@link Workflow#chain} refuses any other.
 */
public interface Stage {}
