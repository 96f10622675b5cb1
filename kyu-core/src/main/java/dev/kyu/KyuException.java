package dev.kyu;

/**
 * The one unchecked root of Kyu's errors. Messages are one line, name the job, queue or value at fault,
 * and say what to do about it where that is known.
 */
public class KyuException extends RuntimeException {
    public KyuException(String message) {
        super(message);
    }

    public KyuException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A bad value from the user: bad JSON, a bad option, an unknown task at enqueue. The CLI exits 2. */
    public static class InvalidInput extends KyuException {
        public InvalidInput(String message) {
            super(message);
        }

        public InvalidInput(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A payload over the configured size limit. */
    public static class PayloadTooLarge extends InvalidInput {
        public PayloadTooLarge(String message) {
            super(message);
        }
    }

    /** A broker URL or broker option that cannot work: unknown scheme, unwritable path, bad credentials. */
    public static class BrokerConfig extends InvalidInput {
        public BrokerConfig(String message) {
            super(message);
        }

        public BrokerConfig(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The broker could not be reached or failed a request; nothing was changed by the failed call. */
    public static class BrokerUnavailable extends KyuException {
        public BrokerUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** No job with that id. */
    public static class JobNotFound extends KyuException {
        public JobNotFound(String id) {
            super("no job with id " + id);
        }
    }
}
