package dev.kyu.task;

import dev.kyu.KyuException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks this process can run, by name and alias. Only names registered here ever run: a payload names
 * a task, never a class, and no payload string is resolved to a class.
 */
public final class TaskRegistry {
    private final Map<String, KyuTask<?, ?>> byName = new ConcurrentHashMap<>();
    private final Map<String, KyuTask<?, ?>> primary = new ConcurrentHashMap<>();

    /** A registry with Kyu's built-in tasks ({@code kyu.noop}, {@code kyu.echo}, {@code kyu.sleep}, {@code kyu.fail}, {@code kyu.workflow}). */
    public static TaskRegistry withBuiltins() {
        var r = new TaskRegistry();
        BuiltinTasks.all().forEach(r::register);
        return r;
    }

    public TaskRegistry register(KyuTask<?, ?> task) {
        Task.checkName(task.name());
        put(task.name(), task);
        primary.put(task.name(), task);
        for (String alias : task.options().aliases()) put(alias, task);
        return this;
    }

    private void put(String name, KyuTask<?, ?> task) {
        var old = byName.putIfAbsent(name, task);
        if (old != null && old != task) {
            throw new KyuException.InvalidInput("task name '" + name + "' is registered twice ("
                    + old.getClass().getName() + " and " + task.getClass().getName() + ")");
        }
    }

    public Optional<KyuTask<?, ?>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** Registered tasks by primary name, sorted. */
    public Collection<KyuTask<?, ?>> tasks() {
        return new TreeMap<>(primary).values();
    }

    /** Registers every {@link KyuTask} and {@link TaskBundle} listed through {@link ServiceLoader}. */
    public TaskRegistry registerServiceLoaded(ClassLoader loader) {
        ServiceLoader.load(KyuTask.class, loader).forEach(this::register);
        ServiceLoader.load(TaskBundle.class, loader).forEach(b -> b.tasks().forEach(this::register));
        return this;
    }

    /**
     * Registers the task or bundle class named by the user ({@code --tasks}). This is the one place a
     * class is loaded by name, and the name comes from the operator's command line, never from a payload.
     */
    public TaskRegistry registerClass(String className, ClassLoader loader) {
        Object instance;
        try {
            Class<?> c = Class.forName(className, true, loader);
            instance = c.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new KyuException.InvalidInput("task class " + className + " is not on the class path");
        } catch (java.lang.reflect.InvocationTargetException e) {
            // The constructor ran and threw: its own failure is the news, not the reflection wrapper.
            Throwable why = e.getCause() == null ? e : e.getCause();
            throw new KyuException.InvalidInput("task class " + className + " failed in its constructor: " + why);
        } catch (NoSuchMethodException | IllegalAccessException | InstantiationException e) {
            throw new KyuException.InvalidInput(
                    "cannot create task class " + className + " (it needs a public no-argument constructor): " + e);
        } catch (LinkageError e) { // a class it needs is missing, or its static initializer threw
            throw new KyuException.InvalidInput("cannot load task class " + className + ": " + e);
        }
        if (instance instanceof KyuTask<?, ?> t) {
            register(t);
        } else if (instance instanceof TaskBundle b) {
            var tasks = b.tasks();
            if (tasks == null)
                throw new KyuException.InvalidInput(
                        "task bundle " + className + " returned no task list (tasks() gave null)");
            tasks.forEach(this::register);
        } else {
            throw new KyuException.InvalidInput(
                    "class " + className + " is neither a dev.kyu.task.KyuTask nor a dev.kyu.task.TaskBundle");
        }
        return this;
    }
}
