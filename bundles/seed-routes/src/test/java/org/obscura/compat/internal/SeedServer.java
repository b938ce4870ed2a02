package org.obscura.compat.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The seed routes in a real Jetty 12, registered with the same precise patterns the whiteboard gets, over fake
 * camera services. Spoken to over HTTP on 127.0.0.1.
 */
final class SeedServer implements AutoCloseable {

    final Fakes.Registry registry = new Fakes.Registry();
    final Fakes.Store store;
    final Fakes.Capture capture;
    final Fakes.Images images = new Fakes.Images();
    final Fakes.Configurations configurations = new Fakes.Configurations();
    final Fakes.Driver v4l2 = new Fakes.Driver("v4l2", Fakes.V4L2_PID);
    final MjpegStreams streams = new MjpegStreams(registry);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    boolean configurationAdminPresent = true;
    boolean cmdEnabled;
    AdminCheck admin = AdminCheck.EVERYONE;
    SeedAccess access = SeedAccess.EVERYONE;
    String camera = "";
    String prefix = "";
    Duration frameTimeout = Duration.ofSeconds(3);

    private Server server;
    private int port;

    SeedServer(Path dir) {
        store = new Fakes.Store(dir);
        capture = new Fakes.Capture(store);
        registry.drivers.add(Fakes.driverInfo("v4l2", Fakes.V4L2_PID));
    }

    /** Starts Jetty with the routes of every seed under {@link #prefix}. */
    SeedServer start() throws Exception {
        ServedCamera served = new ServedCamera(registry, camera, frameTimeout);
        RouteTable table = new RouteTable();
        CameraReconfiguration reconfiguration = new CameraReconfiguration(registry,
                () -> configurationAdminPresent ? configurations.admin() : null,
                id -> id.equals(v4l2.id()) ? java.util.Optional.of(v4l2) : java.util.Optional.empty());
        new CampiRoutes(served, images, streams, reconfiguration).addTo(table);
        new FourCutRoutes(served, capture, streams, cmdEnabled, admin).addTo(table);
        new CamServeRoutes(served, images, streams).addTo(table);
        new SnapshotRoutes(registry, capture, store).addTo(table);
        return start(table);
    }

    SeedServer start(RouteTable table) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(new SeedServlet(table, prefix, streams, access));
        for (String pattern : table.patterns(prefix)) {
            context.addServlet(holder, pattern);
        }
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
        return this;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).method(method, publisher)
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A GET with extra request headers (name, value, ...). */
    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<InputStream> open(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return Exchange.JSON.readTree(response.body());
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    static String type(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    static Map<String, Object> map(Object... keyValues) {
        java.util.Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Override
    public void close() throws Exception {
        streams.close();
        if (server != null) {
            server.stop();
        }
    }
}
