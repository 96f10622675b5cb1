package dev.kyu.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a method of a Spring bean a Kyu task, registered by name when the application starts:
 *
 * <pre>{@code
 * @Component
 * class Mailer {
 *     @KyuTask("email.send")
 *     String send(Email email) { ... }                      // or send(Email email, JobContext ctx)
 * }
 * }</pre>
 *
 * The method takes the args (a record, usually) and optionally a {@link dev.kyu.task.JobContext} after
 * them; its return value is the job's result (void: none). It is called on the bean as Spring exposes it,
 * so {@code @Transactional} and other proxies apply.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface KyuTask {
    /** The task's name, its identity in every payload. */
    String value();

    /** The queue its jobs go to unless an enqueue says otherwise; empty: the default queue. */
    String queue() default "";

    /** Attempts before a job fails for good; 0: Kyu's default. */
    int maxAttempts() default 0;
}
