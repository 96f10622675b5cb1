package dev.kyu.spring;

import dev.kyu.job.JobOptions;
import dev.kyu.task.JobContext;
import dev.kyu.task.TaskOptions;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;

/**
 * A task backed by a bean method annotated with {@link KyuTask}: the job's args bound to the first
 * parameter, the {@link JobContext} passed as the second when the method asks for it.
 */
final class MethodTask implements dev.kyu.task.KyuTask<Object, Object> {
    private final String name;
    private final String beanName;
    private final Object bean;
    private final Method method;
    private final Class<Object> argsType;
    private final boolean wantsContext;
    private final TaskOptions options;

    private MethodTask(
            String name,
            String beanName,
            Object bean,
            Method method,
            Class<Object> argsType,
            boolean wantsContext,
            TaskOptions options) {
        this.name = name;
        this.beanName = beanName;
        this.bean = bean;
        this.method = method;
        this.argsType = argsType;
        this.wantsContext = wantsContext;
        this.options = options;
    }

    /**
     * Checks the method and builds its task. {@code declared} is the annotated method on the bean's class,
     * {@code invocable} the one to call on the bean Spring exposes (a proxy's, when there is one).
     */
    @SuppressWarnings("unchecked")
    static MethodTask of(String beanName, Object bean, Method declared, Method invocable, KyuTask annotation) {
        String where = "method " + declared.getDeclaringClass().getName() + "." + declared.getName() + " of bean '"
                + beanName + "'";
        String name = annotation.value();
        if (!dev.kyu.task.Task.isValidName(name)) {
            throw new KyuStartupException(where + " is annotated @KyuTask(\"" + name
                    + "\"): a task name is 1 to 200 letters, digits or _ . : -");
        }
        Class<?>[] params = declared.getParameterTypes();
        boolean context = params.length == 2 && params[1] == JobContext.class;
        if (params.length != 1 && !context) {
            throw unusable(where, name, "it takes " + params.length + " parameter(s)");
        }
        Class<?> args = params[0];
        if (args == JobContext.class)
            throw unusable(where, name, "its first parameter is the JobContext, not the args");
        if (args.isPrimitive())
            throw unusable(where, name, "its args are the primitive " + args.getName() + ": use a record");
        if (Modifier.isStatic(declared.getModifiers())) throw unusable(where, name, "it is static");
        JobOptions.Builder defaults = JobOptions.builder();
        if (!annotation.queue().isEmpty()) defaults.queue(annotation.queue());
        if (annotation.maxAttempts() < 0) throw unusable(where, name, "maxAttempts is negative");
        if (annotation.maxAttempts() > 0) defaults.maxAttempts(annotation.maxAttempts());
        invocable.setAccessible(true);
        return new MethodTask(
                name, beanName, bean, invocable, (Class<Object>) args, context, TaskOptions.of(defaults.build()));
    }

    private static KyuStartupException unusable(String where, String name, String why) {
        return new KyuStartupException(where + " cannot be task '" + name + "': " + why
                + "; a @KyuTask method takes (Args) or (Args, JobContext) and returns its result or void");
    }

    /** Where the task comes from, for error messages. */
    String origin() {
        return "method " + method.getDeclaringClass().getSimpleName() + "." + method.getName() + " of bean '" + beanName
                + "'";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Class<Object> argsType() {
        return argsType;
    }

    @Override
    public Type resultType() {
        Type t = method.getGenericReturnType();
        return t == void.class || t == Void.class ? Object.class : t;
    }

    @Override
    public TaskOptions options() {
        return options;
    }

    @Override
    public Object run(Object args, JobContext ctx) throws Exception {
        try {
            return wantsContext ? method.invoke(bean, args, ctx) : method.invoke(bean, args);
        } catch (InvocationTargetException e) {
            // The method's own exception decides retry or abort, not the reflection wrapper.
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) throw ex;
            if (cause instanceof Error err) throw err;
            throw e;
        }
    }

    @Override
    public String toString() {
        return "task '" + name + "' (" + origin() + ")";
    }
}
