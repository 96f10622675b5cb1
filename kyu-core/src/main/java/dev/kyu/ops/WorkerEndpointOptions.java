package dev.kyu.ops;

import dev.kyu.KyuException;

/**
 * Where a worker's HTTP endpoint listens. Loopback by default; an address beyond loopback needs a bearer
 * token, which {@code /metrics} then asks for (the health checks answer anyone: they tell only up or down,
 * and a Kubernetes probe sends no credentials).
 *
 * @param port  TCP port; 0 picks a free one
 * @param bind  address to listen on
 * @param token bearer token for {@code /metrics}, or null
 */
public record WorkerEndpointOptions(int port, String bind, String token) {
    public static final String DEFAULT_BIND = "127.0.0.1";

    public WorkerEndpointOptions {
        if (port < 0 || port > 65_535) throw new KyuException.InvalidInput("HTTP port must be 0..65535, was " + port);
        if (bind == null || bind.isBlank()) bind = DEFAULT_BIND;
        if (token != null && token.length() < 16)
            throw new KyuException.InvalidInput("HTTP token must be at least 16 characters");
    }

    public static WorkerEndpointOptions onPort(int port) {
        return new WorkerEndpointOptions(port, DEFAULT_BIND, null);
    }

    public WorkerEndpointOptions withBind(String address) {
        return new WorkerEndpointOptions(port, address, token);
    }

    public WorkerEndpointOptions withToken(String bearer) {
        return new WorkerEndpointOptions(port, bind, bearer);
    }

    @Override
    public String toString() {
        return "WorkerEndpointOptions[port=" + port + ", bind=" + bind + ", token=" + (token == null ? null : "***")
                + "]";
    }
}
