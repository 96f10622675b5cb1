package dev.kyu.dashboard.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kyu.codec.Printable;
import dev.kyu.dashboard.http.HttpError;
import dev.kyu.dashboard.http.Request;

/** Small helpers for JSON answers, and the one check every JSON request body passes. */
final class Json {
    private Json() {}

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /**
     * Refuses a body not declared as JSON in UTF-8, naming the route and what was sent (415): the client's
     * mistake, said in one line before the body is read.
     */
    static void requireJsonBody(Request r, String route) {
        if (!r.isJson()) {
            throw new HttpError(
                    415,
                    route + " takes a JSON body: send Content-Type: application/json"
                            + (r.header("Content-Type") == null
                                    ? ""
                                    : ", not " + Printable.quoted(r.header("Content-Type"))));
        }
        String charset = r.contentTypeParameter("charset");
        if (charset != null && !charset.equalsIgnoreCase("utf-8")) {
            throw new HttpError(
                    415,
                    "JSON is UTF-8: send Content-Type: application/json with charset=utf-8 or none, not charset "
                            + Printable.quoted(charset));
        }
    }
}
