package dev.kyu.dashboard.http;

/** Answers one route. */
@FunctionalInterface
public interface Handler {
    Response handle(Request request) throws Exception;
}
