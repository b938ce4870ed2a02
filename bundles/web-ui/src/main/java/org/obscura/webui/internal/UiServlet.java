package org.obscura.webui.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

/**
 * Serves the single-page app under {@code /ui/} from the bundle's own {@code webui/} resources: nothing is
 * fetched from the network at run time, so the app works on an offline Pi.
 *
 * <p>The app routes with the URL fragment ({@code /ui/#/camera/left}), so only real files are served here:
 * anything else is a 404. Files are read once and kept in memory with a strong ETag (the bundle's resources
 * cannot change while it runs); the browser revalidates every request ({@code no-cache}) so an updated bundle
 * is picked up at the next reload. The Content-Security-Policy allows only this origin, which also keeps any
 * accidental CDN reference from loading. Thread-safe: the cache is a concurrent map of immutable entries.
 */
@Component(service = Servlet.class, property = {
    HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=" + UiServlet.PREFIX,
    HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=" + UiServlet.PREFIX + "/*",
    HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME + "=org.obscura.webui"
})
public final class UiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** Where the app lives on the server. */
    static final String PREFIX = "/ui";

    /** Folder of the app's files inside the bundle (and on the test class path). */
    static final String RESOURCES = "webui/";

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data: blob:; "
            + "connect-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
            + "frame-ancestors 'self'";

    /** Plain relative names: no "..", no hidden files, no backslashes or encoded tricks reach the class loader. */
    private static final Pattern FILE = Pattern.compile("(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*");

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("txt", "text/plain; charset=utf-8"));

    private record Entry(byte[] body, String type, String etag) {
    }

    private final transient Map<String, Entry> cache = new ConcurrentHashMap<>();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null) {
            // "/ui" without the slash: the app's relative URLs need the folder form.
            response.setStatus(HttpServletResponse.SC_MOVED_PERMANENTLY);
            response.setHeader("Location", request.getContextPath() + PREFIX + "/");
            return;
        }
        String name = path.equals("/") ? "index.html" : path.substring(1);
        Optional<Entry> entry = FILE.matcher(name).matches() && !name.contains("..") ? load(name) : Optional.empty();
        if (entry.isEmpty()) {
            response.setStatus(HttpServletResponse.SC_NOT_FOUND);
            response.setContentType("text/plain; charset=utf-8");
            response.getOutputStream().write(("no such file in the web UI: /ui/" + name + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        Entry e = entry.get();
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("ETag", e.etag());
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.setHeader("Referrer-Policy", "same-origin");
        String ifNoneMatch = request.getHeader("If-None-Match");
        if (ifNoneMatch != null && (ifNoneMatch.equals(e.etag()) || ifNoneMatch.equals("*"))) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        response.setContentType(e.type());
        response.setContentLength(e.body().length);
        response.getOutputStream().write(e.body());
    }

    private Optional<Entry> load(String name) throws IOException {
        Entry cached = cache.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String type = TYPES.get(ext);
        URL url = UiServlet.class.getClassLoader().getResource(RESOURCES + name);
        if (type == null || url == null) {
            return Optional.empty();
        }
        byte[] body;
        try (InputStream in = url.openStream()) {
            body = in.readAllBytes();
        }
        Entry entry = new Entry(body, type, '"' + sha256(body).substring(0, 32) + '"');
        cache.putIfAbsent(name, entry);
        return Optional.of(entry);
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
