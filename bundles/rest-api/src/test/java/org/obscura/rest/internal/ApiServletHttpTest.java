package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;

import jakarta.servlet.DispatcherType;

import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.obscura.camera.api.CameraState;

/** The API servlet in a real Jetty 12, spoken to over HTTP, including requests no well-behaved client sends. */
class ApiServletHttpTest {

    @TempDir
    Path dir;
    private TestApi t;
    private Server server;
    private int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void start() throws Exception {
        t = new TestApi(dir, Duration.ofSeconds(2));
        t.registry.camera(Fakes.status("left", "testpattern", CameraState.STREAMING));
        t.registry.subscriptions.put("left", new Fakes.Subscription("left"));
        // The most permissive URI compliance, so that hostile paths reach the servlet and its own checks answer.
        server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.setUriCompliance(UriCompliance.UNSAFE);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(new ApiServlet(t.api, t.drivers, 64 * 1024));
        // The fake subscription here is polled (next()) and tells no listener, so MJPEG streams take the blocking
        // fallback; MjpegFanOutHttpTest covers the asynchronous fan-out.
        holder.setAsyncSupported(false);
        context.addServlet(holder, ApiServlet.PATTERN);
        // As the whiteboard puts it in front of every servlet of the server.
        context.addFilter(new FilterHolder(new UnreadBodyDrain()), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        t.api.close();
        server.stop();
    }

    private HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, Map.of());
    }

    private static void assertProblem(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(Problem.MEDIA_TYPE, r.headers().firstValue("Content-Type").orElse(""), r.body());
        assertTrue(r.body().contains("\"status\":" + status), r.body());
        assertNoStackTrace(r.body());
    }

    private static void assertNoStackTrace(String body) {
        assertFalse(body.contains("\tat ") || body.contains("at org.") || body.contains("Exception"), body);
    }

    @Test
    void aRefusedCallWithABodyLeavesTheConnectionUsable() throws Exception {
        // Each refused call leaves its body unread by the servlet; the next request goes out on the same kept-alive
        // connection. Without the drain, Jetty closed some of these connections unannounced (8 of 200 rounds).
        for (int round = 0; round < 200; round++) {
            assertProblem(send("PUT", "/api/v1/health", "{\"round\": " + round + "}", Map.of()), 405);
            assertProblem(send("POST", "/api/v1/nothing", "{\"name\": \"x\"}", Map.of()), 404);
            assertEquals(204, send("OPTIONS", "/api/v1/cameras", null, Map.of()).statusCode(), "round " + round);
        }
    }

    @Test
    void aRefusedBodyBeyondTheDrainLimitEndsTheConnectionSayingSo() throws Exception {
        // Only the start of the declared body is sent: the answer must come before the rest (which the server
        // would not read to its end anyway), and say that the connection ends. Sending the whole body would race
        // the server's close (a broken pipe on this side), which is what the header warns a client of.
        long declared = UnreadBodyDrain.LIMIT_BYTES + 1024 * 1024;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + declared + "\r\n\r\n" + "x".repeat(1024)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                int b = in.read();
                assertTrue(b >= 0, "the connection ended before the answer: " + head);
                head.write(b);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            assertTrue(text.startsWith("HTTP/1.1 405"), text);
            assertTrue(text.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), text);
        }
        assertEquals(204, send("OPTIONS", "/api/v1/cameras", null, Map.of()).statusCode(), "the server goes on");
    }

    @Test
    void answersJson() throws Exception {
        HttpResponse<String> r = get("/api/v1/health");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(r.body().contains("\"started\":\"2025-01-02T00:00:00Z\""), r.body());
    }

    @Test
    void unknownRoutesAndMethods() throws Exception {
        assertProblem(get("/api/v1/nothing"), 404);
        assertProblem(get("/api"), 404);
        HttpResponse<String> wrong = send("PUT", "/api/v1/health", "{}", Map.of());
        assertProblem(wrong, 405);
        assertEquals("GET, HEAD, OPTIONS", wrong.headers().firstValue("Allow").orElse(""));
        HttpResponse<String> options = send("OPTIONS", "/api/v1/cameras", null, Map.of());
        assertEquals(204, options.statusCode());
        assertEquals("GET, HEAD, OPTIONS, POST", options.headers().firstValue("Allow").orElse(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/cameras/%2e%2e/frame", "/api/v1/cameras/..%2f..%2fetc/frame",
            "/api/v1/captures/left/%2e%2e%2f%2e%2e%2fpasswd", "/api/v1/captures/left/..%5csecret.jpg",
            "/api/v1/captures/left/%252e%252e%252fx.jpg", "/api/v1/cameras/UPPER", "/api/v1/captures/left/a%c3%28.jpg",
            "/api/v1/cameras/a%20b", "/api/v1/captures/left/..", "/api/v1/drivers/x%2F..%2F..%2Fetc"})
    void hostilePathsAre400Problems(String path) throws Exception {
        HttpResponse<String> r = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(400, r.statusCode(), path + " -> " + r.body());
        assertTrue(r.body().startsWith("{\"type\":\"urn:obscura:problem:invalid-argument\""), path + " -> " + r.body());
        assertNoStackTrace(r.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/cameras/a%00b", "/api/v1/cameras/%zz"})
    void pathsTheContainerRefusesItselfShowNoStackTrace(String path) throws Exception {
        HttpResponse<String> r = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(400, r.statusCode(), path + " -> " + r.body());
        assertNoStackTrace(r.body());
    }

    @Test
    void unexpectedFailuresAre500WithAnErrorIdAndNoDetails() throws Exception {
        t.registry.failure = new NullPointerException("secret internals");
        HttpResponse<String> r = get("/api/v1/cameras");
        assertProblem(r, 500);
        assertTrue(r.body().contains("\"errorId\":\""), r.body());
        assertFalse(r.body().contains("secret internals"), r.body());
    }

    @Test
    void bodiesAreLimitedAndParsedStrictly() throws Exception {
        String big = "{\"driver\":\"testpattern\",\"name\":\"x\",\"label\":\"" + "a".repeat(70 * 1024) + "\"}";
        assertProblem(send("POST", "/api/v1/cameras", big, Map.of("Content-Type", "application/json")), 413);
        // Without a declared length (chunked), the limit still holds.
        HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/cameras"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build();
        assertProblem(http.send(chunked, HttpResponse.BodyHandlers.ofString()), 413);
        assertProblem(send("POST", "/api/v1/cameras", "{\"driver\":", Map.of()), 400);
        assertProblem(send("POST", "/api/v1/cameras", null, Map.of()), 400);
        assertEquals(0, t.configAdmin.writes.get());
    }

    @Test
    void createsACameraEvenWhenTheClientSaysFormEncoded() throws Exception {
        // curl -d sends JSON as application/x-www-form-urlencoded; the body must still be read as JSON.
        HttpResponse<String> r = send("POST", "/api/v1/cameras", "{\"driver\":\"testpattern\",\"name\":\"right\"}",
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("/api/v1/cameras/right", r.headers().firstValue("Location").orElse(""));
        assertTrue(t.configAdmin.configurations.containsKey(Fakes.PID + "~right"));
    }

    @Test
    void servesOneFrame() throws Exception {
        t.registry.subscriptions.get("left").frames.add(new Fakes.Live(3, false, "JPEGDATA"));
        HttpResponse<String> r = get("/api/v1/cameras/left/frame");
        assertEquals(200, r.statusCode());
        assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("3", r.headers().firstValue("X-Frame-Index").orElse(""));
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        assertEquals("JPEGDATA", r.body());
    }

    @Test
    void servesCaptureFilesAndHead() throws Exception {
        t.store.put("left", "left_1.jpg", "IMAGE", true);
        HttpResponse<String> r = get("/api/v1/captures/left/left_1.jpg");
        assertEquals(200, r.statusCode());
        assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("IMAGE", r.body());
        HttpResponse<String> head = send("HEAD", "/api/v1/captures/left/left_1.jpg", null, Map.of());
        assertEquals(200, head.statusCode());
        assertEquals("5", head.headers().firstValue("Content-Length").orElse(""));
        assertEquals("", head.body());
        HttpResponse<String> deleted = send("DELETE", "/api/v1/captures/left/left_1.jpg", null, Map.of());
        assertEquals(204, deleted.statusCode());
        assertProblem(get("/api/v1/captures/left/left_1.jpg"), 404);
    }

    @Test
    void streamsMjpegUntilTheClientDisconnects() throws Exception {
        Fakes.Subscription s = t.registry.subscriptions.get("left");
        Thread camera = new Thread(() -> {
            long i = 0;
            while (!s.closed) {
                s.frames.offer(new Fakes.Live(++i, i % 2 == 0, "FRAME" + i));
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        camera.setDaemon(true);
        camera.start();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /api/v1/cameras/left/stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readUntil(in, "\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.contains("Content-Type: multipart/x-mixed-replace; boundary=frame"), head);
            String part = readUntil(in, "\r\n\r\n");
            assertTrue(part.contains("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "), part);
            assertTrue(part.contains("X-Timestamp: 2025-01-02T03:04:05.678Z"), part);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!s.closed && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(s.closed, "the server closed the subscription after the client left");
        camera.join(10_000);
    }

    @Test
    void headOnAStreamSendsHeadersOnlyAndReleasesTheSubscription() throws Exception {
        HttpResponse<String> r = send("HEAD", "/api/v1/cameras/left/stream", null, Map.of());
        assertEquals(200, r.statusCode());
        assertEquals(MjpegStream.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(t.registry.subscriptions.get("left").closed);
        assertEquals(0, t.api.live().openStreams());
    }

    @Test
    void thePathBelowTheServletIsCutFromTheRawUri() {
        assertEquals("/v1/cameras/a%2Fb", ApiServlet.below("/api/v1/cameras/a%2Fb", "/api"));
        assertEquals("/v1", ApiServlet.below("/ctx/api/v1", "/ctx/api"));
        assertEquals("", ApiServlet.below("/api", "/api"));
        assertEquals("/", ApiServlet.below("/api/", "/api"));
    }

    @Test
    void eventsStreamAsServerSentEvents() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/events"))
                .timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<java.util.stream.Stream<String>> r = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream;charset=utf-8", r.headers().firstValue("Content-Type").orElse("").replace(" ", ""));
        try (java.util.stream.Stream<String> lines = r.body()) {
            java.util.Iterator<String> it = lines.iterator();
            while (!it.next().equals(": connected")) {
                // the retry hint comes first
            }
            t.api.publishEvent(org.obscura.camera.api.ObscuraEvents.CAMERA_ONLINE, Map.of("camera", "left", "driver", "testpattern"));
            String line = it.next();
            while (!line.startsWith("event: ")) {
                line = it.next();
            }
            assertEquals("event: camera/online", line);
            assertEquals("data: {\"camera\":\"left\",\"driver\":\"testpattern\"}", it.next());
        }
    }

    @Test
    void openApiAndOptionalServicesOverHttp() throws Exception {
        HttpResponse<String> doc = get("/api/v1/openapi.json");
        assertEquals(200, doc.statusCode());
        assertTrue(doc.body().startsWith("{\"openapi\":\"3.0.3\""), doc.body());
        assertTrue(doc.body().contains("\"/v1/sets/{set}/{file}\""), doc.body());
        HttpResponse<String> lights = get("/api/v1/lights");
        assertProblem(lights, 503);
        assertTrue(lights.body().contains("lights are not available (no lights bundle running)"), lights.body());
        Fakes.Sets sets = new Fakes.Sets();
        sets.sets.put("scan_1", new java.util.concurrent.ConcurrentHashMap<>(
                Map.of("manifest.json", "{\"status\":\"complete\"}".getBytes(StandardCharsets.UTF_8))));
        t.api.imageSets().bind(sets);
        HttpResponse<String> manifest = get("/api/v1/sets/scan_1/manifest.json");
        assertEquals(200, manifest.statusCode());
        assertEquals("application/json", manifest.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"status\":\"complete\"}", manifest.body());
        assertProblem(get("/api/v1/sets/scan_1/..%2f..%2fconf"), 400);
        assertProblem(get("/api/v1/sets/%2e%2e/manifest.json"), 400);
        assertEquals(java.util.List.of("sets/scan_1/manifest.json"), sets.reads, "only the valid request reached the service");
    }

    /** Sends a request as written, byte for byte, and reads the whole answer (the request must close). */
    private HttpResponse<String> raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            String body = split < 0 ? "" : text.substring(split + 4);
            return new RawResponse(status, body);
        }
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith(end)) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after: " + b);
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /** Just enough of an HttpResponse for the raw-socket checks. */
    private record RawResponse(int statusCode, String body) implements HttpResponse<String> {
        @Override
        public HttpRequest request() {
            return null;
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true);
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public URI uri() {
            return null;
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
