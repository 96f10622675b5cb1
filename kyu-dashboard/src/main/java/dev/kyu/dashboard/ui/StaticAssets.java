package dev.kyu.dashboard.ui;

import dev.kyu.dashboard.http.HttpError;
import dev.kyu.dashboard.http.Response;
import dev.kyu.dashboard.http.Router;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Serves the dashboard's own script and stylesheet from the jar (never from a CDN). */
public final class StaticAssets {
    private static final Map<String, String> FILES =
            Map.of("app.js", "text/javascript; charset=utf-8", "app.css", "text/css; charset=utf-8");

    public void routes(Router router) {
        router.get("/static/{file}", r -> {
            String file = r.param("file");
            String type = FILES.get(file);
            if (type == null) throw HttpError.notFound("no such file: " + file);
            try (InputStream in = StaticAssets.class.getResourceAsStream("/dev/kyu/dashboard/static/" + file)) {
                if (in == null) throw HttpError.notFound("no such file: " + file);
                return new Response(200, type, in.readAllBytes(), Map.of("Cache-Control", "max-age=300"));
            } catch (IOException e) {
                throw new HttpError(500, "cannot read " + file);
            }
        });
    }
}
