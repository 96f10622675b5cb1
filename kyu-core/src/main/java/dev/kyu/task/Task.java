package dev.kyu.task;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A task built from a lambda: {@code Task.of("email.send", Email.class, (email, ctx) -> mailer.send(email))}.
 */
public record Task<A, R>(String name, Class<A> argsType, Class<R> resultClass, TaskHandler<A, R> handler, TaskOptions options)
        implements KyuTask<A, R> {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:\\-]{1,200}");

    public Task {
        checkName(name);
        Objects.requireNonNull(argsType, "argsType");
        Objects.requireNonNull(handler, "handler");
        options = options == null ? TaskOptions.DEFAULTS : options;
    }

    public static <A, R> Task<A, R> of(String name, Class<A> argsType, TaskHandler<A, R> handler) {
        return new Task<>(name, argsType, null, handler, TaskOptions.DEFAULTS);
    }

    /** A task whose results {@code JobHandle.await} reads back as {@code resultClass}. */
    public static <A, R> Task<A, R> of(String name, Class<A> argsType, Class<R> resultClass, TaskHandler<A, R> handler) {
        return new Task<>(name, argsType, resultClass, handler, TaskOptions.DEFAULTS);
    }

    @Override
    public java.lang.reflect.Type resultType() {
        return resultClass == null ? Object.class : resultClass;
    }

    public Task<A, R> withOptions(TaskOptions o) {
        return new Task<>(name, argsType, resultClass, handler, o);
    }

    @Override
    public R run(A args, JobContext ctx) throws Exception {
        return handler.run(args, ctx);
    }

    /** Task names: letters, digits and {@code _ . : -}, 1 to 200 characters. */
    public static String checkName(String name) {
        return check("task", name);
    }

    /** Queue names: the same rule as task names. */
    public static String checkQueue(String queue) {
        return check("queue", queue);
    }

    private static String check(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            // The bad value is shown whole and escaped: a newline in it must not cut the message or forge a line.
            throw new dev.kyu.KyuException.InvalidInput("bad " + what + " name " + dev.kyu.codec.Printable.quoted(name)
                    + ": use 1-200 letters, digits, '_', '.', ':' or '-'");
        }
        return name;
    }
}
