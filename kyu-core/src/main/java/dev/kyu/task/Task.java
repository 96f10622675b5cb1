package dev.kyu.task;

import java.util.Objects;

/**
 * A task built from a lambda: {@code Task.of("email.send", Email.class, (email, ctx) -> mailer.send(email))}.
 */
public record Task<A, R>(
        String name, Class<A> argsType, Class<R> resultClass, TaskHandler<A, R> handler, TaskOptions options)
        implements KyuTask<A, R> {

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
    public static <A, R> Task<A, R> of(
            String name, Class<A> argsType, Class<R> resultClass, TaskHandler<A, R> handler) {
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

    /** True when the text is a valid task or queue name (see {@link #checkName}). */
    public static boolean isValidName(String name) {
        // By hand rather than by the pattern: engines check the names of every job they hand out.
        if (name == null || name.isEmpty() || name.length() > 200) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '.'
                    || c == ':'
                    || c == '-';
            if (!ok) return false;
        }
        return true;
    }

    private static String check(String what, String name) {
        if (!isValidName(name)) {
            // The bad value is shown whole and escaped: a newline in it must not cut the message or forge a line.
            throw new dev.kyu.KyuException.InvalidInput("bad " + what + " name " + dev.kyu.codec.Printable.quoted(name)
                    + ": use 1-200 letters, digits, '_', '.', ':' or '-'");
        }
        return name;
    }
}
