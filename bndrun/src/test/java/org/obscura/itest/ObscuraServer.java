package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.ImageStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Obscura server running in this framework, as the integration tests reach it: over real HTTP on the port
 * Jetty picked, and through its OSGi services. Made once per test run (the first test that asks for it) by
 * {@link Extension}, and closed when the run ends.
 *
 * <p>Making it points the image store at a fresh temporary data dir through ConfigurationAdmin and waits
 * until the REST API answers with that store. Closing it deletes the folder.
 *
 * <p>Every HTTP answer that is not an image is checked for traces of a Java stack trace: no client request
 * may ever see one.
 */
final class ObscuraServer implements ExtensionContext.Store.CloseableResource {

    /** Generous: the machine running the tests may be a slow, busy two-core box. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** The test-pattern driver's built-in camera, also the driver's id. */
    static final String BUILTIN = "testpattern";
    static final String TESTPATTERN_BSN = "org.obscura.driver.testpattern";
    /** Factory PID of test-pattern cameras ({@code TestPatternCamera.FACTORY_PID}). */
    static final String TESTPATTERN_FACTORY_PID = "org.obscura.driver.testpattern.camera";

    private static final String STORE_PID = "org.obscura.camera.core.store";
    /** Overrides the store's configured data dir ({@code FileImageStore.DATA_DIR_ENV}). */
    private static final String DATA_DIR_ENV = "OBSCURA_DATA_DIR";
    /** The framework property itest.bndrun sets the administrator password with (org.obscura.auth reads it). */
    static final String ADMIN_PASSWORD_PROPERTY = "obscura.admin.password";
    private static final String RUNTIME_SERVICE = "org.osgi.service.servlet.runtime.HttpServiceRuntime";
    private static final String ENDPOINT = "osgi.http.endpoint";

    private final ObjectMapper json = new ObjectMapper();
    private final BundleContext context;
    private final Path dataDir;
    private final URI base;
    private final HttpClient http;
    private final ServiceTracker<CameraRegistry, CameraRegistry> registry;
    private final ServiceTracker<ConfigurationAdmin, ConfigurationAdmin> configAdmin;
    private final ServiceTracker<ImageStore, ImageStore> store;

    private ObscuraServer(BundleContext context) throws Exception {
        if (System.getenv(DATA_DIR_ENV) != null && !System.getenv(DATA_DIR_ENV).isBlank()) {
            // It would win over the data dir configured below, and the tests would write into it.
            throw new IllegalStateException(DATA_DIR_ENV + " is set; unset it to run the integration tests");
        }
        this.context = context;
        this.registry = open(CameraRegistry.class);
        this.configAdmin = open(ConfigurationAdmin.class);
        this.store = open(ImageStore.class);
        this.dataDir = Files.createTempDirectory("obscura-itest-").toRealPath();
        // The fuzz test sends wrong credentials on purpose; the per-address login throttle would then refuse
        // every later test from 127.0.0.1 for a minute. The throttle has its own tests in the auth bundle.
        Configuration authConfig = configAdmin().getConfiguration("org.obscura.auth", "?");
        Dictionary<String, Object> auth = new Hashtable<>();
        auth.put("login.failures.per.minute", 0);
        authConfig.update(auth);
        Configuration storeConfig = configAdmin().getConfiguration(STORE_PID, "?");
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("data.dir", dataDir.toString());
        storeConfig.update(properties);
        await("the image store to use " + dataDir, () -> {
            ImageStore s = store.getService();
            return s != null && s.root().equals(dataDir);
        });
        this.base = URI.create("http://127.0.0.1:" + httpPort() + "/");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        // The API is re-made on the new store: wait until it answers again.
        await("the REST API to answer", () -> {
            try {
                return send(HttpRequest.newBuilder(uri("/api/v1/health")).GET()).status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Gives every test class that asks an {@link ObscuraServer}, the same one for the whole run. */
    static final class Extension implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
            return parameter.getParameter().getType() == ObscuraServer.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
            return extension.getRoot().getStore(ExtensionContext.Namespace.create(ObscuraServer.class))
                    .getOrComputeIfAbsent(ObscuraServer.class, key -> {
                        try {
                            return new ObscuraServer(FrameworkUtil.getBundle(ObscuraServer.class).getBundleContext());
                        } catch (Exception e) {
                            throw new IllegalStateException("the server did not come up: " + e, e);
                        }
                    }, ObscuraServer.class);
        }
    }

    // ---- services --------------------------------------------------------------------------------------

    BundleContext context() {
        return context;
    }

    Path dataDir() {
        return dataDir;
    }

    CameraRegistry registry() {
        return service(registry, CameraRegistry.class);
    }

    ConfigurationAdmin configAdmin() {
        return service(configAdmin, ConfigurationAdmin.class);
    }

    Optional<CameraStatus> camera(String name) {
        return registry().camera(name);
    }

    /** The camera's state, or {@code null} when the registry does not know it. */
    CameraState state(String name) {
        return camera(name).map(CameraStatus::state).orElse(null);
    }

    /** Test-pattern camera configurations now in ConfigurationAdmin. */
    List<Configuration> testPatternConfigurations() {
        try {
            Configuration[] found = configAdmin().listConfigurations(
                    "(service.factoryPid=" + TESTPATTERN_FACTORY_PID + ")");
            return found == null ? List.of() : Arrays.asList(found);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletes every camera configuration and waits until only the built-in camera is registered again (it
     * comes back a moment after the last other camera is gone). Tests start from, and leave, this state.
     */
    void resetCameras() throws Exception {
        for (Configuration c : testPatternConfigurations()) {
            c.delete();
        }
        await("only the built-in camera to be registered", () -> {
            List<CameraStatus> cameras = registry().cameras();
            return cameras.size() == 1 && cameras.get(0).name().equals(BUILTIN) && cameras.get(0).online();
        });
    }

    // ---- HTTP --------------------------------------------------------------------------------------------

    /** One HTTP answer, read whole. */
    record Response(int status, Map<String, List<String>> headers, byte[] body) {

        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        String contentType() {
            return header("Content-Type").orElse("");
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            String type = contentType();
            return status + " " + type + (type.startsWith("image/") ? " (" + body.length + " bytes)" : " " + text());
        }
    }

    URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    Response get(String path) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    Response delete(String path) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** POST of a raw body, sent as JSON. */
    Response post(String path, String body) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** POST of an object as JSON. */
    Response post(String path, Map<String, ?> body) throws IOException {
        return post(path, json.writeValueAsString(body));
    }

    Response put(String path, Map<String, ?> body) throws IOException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
    }

    /** The administrator's Basic credentials in this runtime. */
    String adminAuthorization() {
        String password = context.getProperty(ADMIN_PASSWORD_PROPERTY);
        assertNotNull(password, ADMIN_PASSWORD_PROPERTY + " must be set in itest.bndrun");
        return "Basic " + java.util.Base64.getEncoder()
                .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A request as given (method, headers, raw path), answered and checked; as the administrator (Basic) unless
     * it carries its own Authorization header.
     */
    Response send(HttpRequest.Builder request) throws IOException {
        return send(request, false);
    }

    /**
     * Like {@link #send(HttpRequest.Builder)}; with {@code exceptionNamesAllowed}, the answer may name an
     * exception type (a bundle a client uploaded failed to start, and the answer says with what), but still never
     * carries a stack frame.
     */
    Response send(HttpRequest.Builder request, boolean exceptionNamesAllowed) throws IOException {
        HttpRequest built = request.timeout(TIMEOUT).build();
        if (built.headers().firstValue("Authorization").isEmpty()) {
            built = HttpRequest.newBuilder(built, (name, value) -> true)
                    .header("Authorization", adminAuthorization()).build();
        }
        return sendAsIs(built, exceptionNamesAllowed);
    }

    /** A request exactly as given, without credentials unless it has them: for access tests. */
    Response sendAsIs(HttpRequest request) throws IOException {
        return sendAsIs(request, false);
    }

    private Response sendAsIs(HttpRequest request, boolean exceptionNamesAllowed) throws IOException {
        HttpResponse<byte[]> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Response response = new Response(r.statusCode(), r.headers().map(), r.body());
        if (!response.contentType().startsWith("image/")) {
            String text = response.text();
            assertFalse((!exceptionNamesAllowed && text.contains("Exception")) || text.contains("at org.")
                    || text.contains("at java."),
                    () -> r.request().method() + " " + r.uri() + " answered with a stack trace: " + response);
        }
        return response;
    }

    /** The response body as JSON. */
    JsonNode json(Response response) throws IOException {
        return json.readTree(response.body());
    }

    /** A JSON file, e.g. a capture's sidecar. */
    JsonNode json(Path file) throws IOException {
        return json.readTree(file.toFile());
    }

    /** The response body as a picture; fails unless it is a readable JPEG. */
    static BufferedImage jpeg(Response response) throws IOException {
        assertEquals(200, response.status(), () -> "not a picture: " + response);
        assertEquals("image/jpeg", response.contentType(), () -> "not a JPEG: " + response);
        return jpeg(response.body());
    }

    /** The bytes as a picture; fails unless they are a readable JPEG. */
    static BufferedImage jpeg(byte[] bytes) throws IOException {
        assertTrue(bytes.length > 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8,
                "no JPEG start-of-image marker");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull(image, "ImageIO cannot read the JPEG");
        return image;
    }

    /**
     * Checks that an answer is an {@code application/problem+json} error of that status, whose
     * {@code field} is {@code field} (when not {@code null}); returns its body.
     */
    JsonNode problem(Response response, int status, String field) throws IOException {
        assertEquals(status, response.status(), () -> "unexpected answer: " + response);
        assertTrue(response.contentType().startsWith("application/problem+json"), () -> "not a problem: " + response);
        JsonNode problem = json(response);
        assertEquals(status, problem.path("status").asInt(), () -> "status member: " + response);
        assertFalse(problem.path("detail").asText().isBlank(), () -> "no detail: " + response);
        if (field != null) {
            assertEquals(field, problem.path("field").asText(null), () -> "field member: " + response);
        }
        return problem;
    }

    /** The HTTP client tests use for requests of their own (streams). */
    HttpClient http() {
        return http;
    }

    // ---- waiting ------------------------------------------------------------------------------------------

    /** Waits up to {@link #TIMEOUT} for {@code condition}; fails the test naming {@code what} otherwise. */
    static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    /** Like {@link #await(String, BooleanSupplier)}, with {@code state} describing the situation on failure. */
    static void await(String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                String now = state.get();
                fail("waited " + TIMEOUT.toSeconds() + " s for " + what + (now.isEmpty() ? "" : "; now: " + now));
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for " + what);
            }
        }
    }

    // ---- set-up and tear-down ----------------------------------------------------------------------------

    private <S> ServiceTracker<S, S> open(Class<S> type) {
        ServiceTracker<S, S> tracker = new ServiceTracker<>(context, type, null);
        tracker.open();
        return tracker;
    }

    private static <S> S service(ServiceTracker<S, S> tracker, Class<S> type) {
        try {
            S s = tracker.waitForService(TIMEOUT.toMillis());
            if (s == null) {
                fail("no " + type.getSimpleName() + " service within " + TIMEOUT.toSeconds() + " s");
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The port Jetty listens on: the run asks for any free port ({@code org.osgi.service.http.port=0}), and
     * the servlet runtime service publishes the real one in its endpoint URLs.
     */
    private int httpPort() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ServiceReference<?>[] refs = context.getServiceReferences(RUNTIME_SERVICE, null);
                for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
                    for (String endpoint : strings(ref.getProperty(ENDPOINT))) {
                        int port = URI.create(endpoint).getPort();
                        if (port > 0) {
                            return port;
                        }
                    }
                }
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("no " + RUNTIME_SERVICE + " with a port in " + ENDPOINT);
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String s) {
            out.add(s);
        } else if (value instanceof String[] a) {
            out.addAll(Arrays.asList(a));
        } else if (value instanceof Collection<?> c) {
            c.forEach(o -> out.add(String.valueOf(o)));
        }
        return out;
    }

    /** Ends the run: the framework stops right after, so only the temporary data dir needs removing. */
    @Override
    public void close() throws IOException {
        registry.close();
        configAdmin.close();
        store.close();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
