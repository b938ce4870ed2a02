package org.obscura.webui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The app's files over HTTP, with the patterns the whiteboard registers: types, caching, refusals. */
class UiServletTest {
    private static Server server;
    private static String base;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new UiServlet()), "/ui/*");
        context.addServlet(new ServletHolder(new UiServlet()), "/ui");
        context.addServlet(new ServletHolder(new RootRedirectServlet()), "");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The media type as the container writes it (spaces after ';' vary between containers). */
    private static String type(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElseThrow().replace(" ", "").toLowerCase();
    }

    @Test
    void rootAndFolderRedirectToTheApp() throws Exception {
        HttpResponse<String> root = get("/");
        assertEquals(302, root.statusCode());
        assertEquals("/ui/", root.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> folder = get("/ui");
        assertEquals(301, folder.statusCode());
        assertEquals("/ui/", folder.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void servesTheAppWithTypesAndAPolicyThatAllowsOnlyThisServer() throws Exception {
        HttpResponse<String> index = get("/ui/");
        assertEquals(200, index.statusCode());
        assertEquals("text/html;charset=utf-8", type(index));
        assertTrue(index.body().contains("app.js"));
        assertTrue(index.headers().firstValue("Content-Security-Policy").orElseThrow().startsWith("default-src 'self'"));
        assertEquals("text/javascript;charset=utf-8", type(get("/ui/app.js")));
        assertEquals("text/css;charset=utf-8", type(get("/ui/app.css")));
        assertEquals("image/svg+xml", type(get("/ui/icon.svg")));
    }

    @Test
    void unchangedFilesAnswer304() throws Exception {
        HttpResponse<String> first = get("/ui/app.js");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertEquals("no-cache", first.headers().firstValue("Cache-Control").orElseThrow());
        HttpResponse<String> again = get("/ui/app.js", "If-None-Match", etag);
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
    }

    @Test
    void nothingOutsideTheAppFolderIsServed() throws Exception {
        for (String path : new String[] {"/ui/nope.js", "/ui/../org/obscura/webui/internal/UiServlet.class",
            "/ui/%2e%2e/org/obscura/webui/internal/UiServlet.class", "/ui/.hidden.js", "/ui/org/obscura/webui/internal/UiServlet.class",
            "/ui/..%2fMETA-INF/MANIFEST.MF", "/ui/app.js%00.css", "/ui/webui/app.js", "/ui/a\\b.js"}) {
            int status = get(path.replace("\\", "%5C")).statusCode();
            assertTrue(status == 404 || status == 400, path + " answered " + status);
        }
    }
}
