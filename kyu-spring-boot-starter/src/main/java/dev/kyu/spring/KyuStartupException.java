package dev.kyu.spring;

/** Kyu's configuration in the application cannot work; the message says what and how to fix it, on one line. */
public class KyuStartupException extends RuntimeException {
    public KyuStartupException(String message) {
        super(message);
    }

    public KyuStartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
