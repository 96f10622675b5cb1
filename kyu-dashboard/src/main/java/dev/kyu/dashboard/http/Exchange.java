package dev.kyu.dashboard.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request and its answer, whichever server carries it: the dashboard's own (the JDK's HTTP
 * server) or the application's, where the dashboard is mounted under a path (a servlet container).
 */
public interface Exchange {
    String method();

    /**
     * Where the dashboard is mounted: {@code ""} at the server's root, else a path such as {@code /kyu}
     * without a trailing slash. Links, redirects and the CSRF cookie are made under it.
     */
    String base();

    /** The request's path below {@link #base()}, decoded, starting with {@code /}; null when outside the base. */
    String path();

    /** The query string as sent (still encoded), or null. */
    String rawQuery();

    /** Every value of a request header, in order; empty when absent. */
    List<String> headers(String name);

    /** The client's address (the proxy's, behind one). */
    InetAddress remoteAddress();

    InputStream body() throws IOException;

    /** Sends the answer; an empty body is sent as none. Called once. */
    void send(int status, Map<String, List<String>> headers, byte[] body) throws IOException;
}
