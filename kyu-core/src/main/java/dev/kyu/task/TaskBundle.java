package dev.kyu.task;

import java.util.List;

/**
 * Several tasks from one class: name a bundle with {@code kyu worker --tasks} or list it in
 * {@code META-INF/services/dev.kyu.task.TaskBundle}.
 */
public interface TaskBundle {
    List<KyuTask<?, ?>> tasks();
}
