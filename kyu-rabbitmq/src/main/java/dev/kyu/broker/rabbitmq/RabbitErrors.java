package dev.kyu.broker.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import dev.kyu.KyuException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/** RabbitMQ's failures as one line each, never with a password in it. */
final class RabbitErrors {
    private RabbitErrors() {}

    static KyuException atOpen(String redacted, String vhost, Exception e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationFailureException || t instanceof PossibleAuthenticationFailureException)
                return new KyuException.BrokerConfig(
                        "amqp broker " + redacted + ": RabbitMQ refused the user or password (ACCESS_REFUSED)");
            if (t instanceof ShutdownSignalException s && s.getReason() instanceof AMQP.Connection.Close c) {
                if (c.getReplyCode() == AMQP.NOT_ALLOWED || c.getReplyText().contains("vhost"))
                    return new KyuException.BrokerConfig("amqp broker " + redacted + ": RabbitMQ has no virtual host '"
                            + vhost + "' this user may use (" + scrub(c.getReplyText()) + ")");
                if (c.getReplyCode() == AMQP.ACCESS_REFUSED)
                    return new KyuException.BrokerConfig(
                            "amqp broker " + redacted + ": RabbitMQ refused access: " + scrub(c.getReplyText()));
            }
            if (t instanceof ConnectException
                    || t instanceof UnknownHostException
                    || t instanceof SocketTimeoutException) {
                return new KyuException.BrokerUnavailable(
                        "amqp broker " + redacted + ": cannot reach RabbitMQ ("
                                + t.getClass().getSimpleName() + ": " + scrub(t.getMessage()) + ")",
                        null);
            }
            root = t;
        }
        return new KyuException.BrokerConfig("amqp broker " + redacted + ": cannot connect to RabbitMQ ("
                + root.getClass().getSimpleName() + ": " + scrub(root.getMessage()) + ")");
    }

    /** A verb's failure: a conflicting declaration is the user's to fix, anything else is RabbitMQ being away. */
    static KyuException onVerb(String redacted, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException s
                    && s.getReason() instanceof AMQP.Channel.Close c
                    && c.getReplyCode() == AMQP.PRECONDITION_FAILED) {
                return new KyuException.InvalidInput("amqp broker " + redacted
                        + ": a RabbitMQ queue was already declared with other arguments (" + scrub(c.getReplyText())
                        + "); delete it or choose another ?prefix=");
            }
        }
        return unavailable(redacted, "a RabbitMQ request", e);
    }

    static KyuException.BrokerUnavailable unavailable(String redacted, String what, Exception e) {
        return new KyuException.BrokerUnavailable(
                "amqp broker " + redacted + ": " + what + " failed (" + scrub(String.valueOf(e.getMessage())) + ")", e);
    }

    /** RabbitMQ's own texts carry no password, but a URI parse error may echo the URI: redact it. */
    static String scrub(String text) {
        return text == null ? "" : dev.kyu.spi.BrokerConfig.redact(text);
    }
}
