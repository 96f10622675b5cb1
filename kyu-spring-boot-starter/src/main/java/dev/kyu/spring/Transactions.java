package dev.kyu.spring;

import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Spring's transaction state, in a class of its own so that spring-tx and spring-jdbc stay optional. */
final class Transactions {
    private static final Logger log = LoggerFactory.getLogger(Transactions.class);

    private Transactions() {}

    static boolean active() {
        return TransactionSynchronizationManager.isActualTransactionActive();
    }

    /** True when the current transaction holds a connection of {@code ds}. */
    static boolean bound(DataSource ds) {
        return TransactionSynchronizationManager.getResource(ds) != null;
    }

    static boolean synchronizing() {
        return TransactionSynchronizationManager.isSynchronizationActive();
    }

    /** Runs {@code work} on the transaction's connection of {@code ds}. */
    static <T> T onConnection(DataSource ds, Function<Connection, T> work) {
        Connection c = DataSourceUtils.getConnection(ds);
        try {
            return work.apply(c);
        } finally {
            DataSourceUtils.releaseConnection(c, ds);
        }
    }

    /** Runs {@code send} once the transaction commits; after a rollback cancels {@code future} instead. */
    static void afterCommit(Runnable send, CompletableFuture<?> future) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    future.cancel(false);
                    return;
                }
                try {
                    send.run();
                } catch (RuntimeException e) {
                    // The transaction is committed already: the caller can no longer be told by an exception.
                    log.error(
                            "a job or workflow enqueued in a transaction could not be sent after its commit: {}",
                            dev.kyu.Causes.oneLine(e));
                    future.completeExceptionally(e);
                }
            }
        });
    }
}
