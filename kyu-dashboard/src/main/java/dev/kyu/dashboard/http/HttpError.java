package dev.kyu.dashboard.http;

/** An error answer: the status and a one-line message shown to the caller (never a stack trace). */
public final class HttpError extends RuntimeException {
    private final int status;

    public HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static HttpError badRequest(String m) {
        return new HttpError(400, m);
    }

    public static HttpError notFound(String m) {
        return new HttpError(404, m);
    }

    public static HttpError forbidden(String m) {
        return new HttpError(403, m);
    }
}
