package dev.kyu.task;

/** Thrown by a task to fail its job at once, whatever attempts are left (bad input that will never get better). */
public class NonRetryableException extends RuntimeException {
    public NonRetryableException(String message) {
        super(message);
    }

    public NonRetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
