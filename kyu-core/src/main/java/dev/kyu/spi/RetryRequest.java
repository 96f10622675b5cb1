package dev.kyu.spi;

import java.util.List;

/**
 * Put FAILED or CANCELLED jobs back to QUEUED by hand, due now, with their attempt count reset and their
 * error history kept: either the listed ids, or, when {@code ids} is empty, every FAILED job (of
 * {@code queue} when it is not null). Jobs in other states are left alone.
 */
public record RetryRequest(List<String> ids, String queue) {
    public RetryRequest {
        ids = ids == null ? List.of() : List.copyOf(ids);
    }

    public static RetryRequest ids(List<String> ids) {
        return new RetryRequest(ids, null);
    }

    public static RetryRequest allFailed(String queueOrNull) {
        return new RetryRequest(List.of(), queueOrNull);
    }
}
