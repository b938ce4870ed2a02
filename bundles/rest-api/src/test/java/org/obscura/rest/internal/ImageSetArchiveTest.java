package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.ImageData;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSetFile;
import org.obscura.camera.api.ImageSets;

/** {@code GET /v1/sets/{set}/archive}: the set as a ZIP, streamed; read back and compared byte for byte. */
class ImageSetArchiveTest {

    private static final String SET = "scan_20250102-030405";

    @TempDir
    Path dir;
    private TestApi t;
    private final VanishingSets sets = new VanishingSets();
    private Server server;

    /** The fake sets, where reading a named file fails as if it had been deleted after the set was listed. */
    static final class VanishingSets implements ImageSets {
        final Fakes.Sets fake = new Fakes.Sets();
        final Map<String, Map<String, byte[]>> sets = fake.sets;
        final List<String> reads = fake.reads;
        volatile String vanished;

        @Override
        public List<ImageSet> sets() {
            return fake.sets();
        }

        @Override
        public List<ImageSetFile> contents(String set) {
            return fake.contents(set);
        }

        @Override
        public boolean delete(String set) {
            return fake.delete(set);
        }

        @Override
        public ImageData image(String path) {
            if (vanished != null && path.endsWith("/" + vanished)) {
                reads.add(path);
                throw CameraException.notFound("no file " + path);
            }
            return fake.image(path);
        }
    }

    @BeforeEach
    void setUp() {
        t = new TestApi(dir);
        Random random = new Random(42);
        Map<String, byte[]> files = new ConcurrentHashMap<>();
        // Larger than any response buffer, so the archive is sent in many writes.
        byte[] big = new byte[300_000];
        random.nextBytes(big);
        big[0] = (byte) 0xff;
        big[1] = (byte) 0xd8;
        files.put("image_01_north.jpg", big);
        files.put("image_02_south.jpg", new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        files.put("image_03_east.jpg", new byte[0]);
        files.put("manifest.json", ("{\"status\":\"complete\",\"images\":[" + "\"x\",".repeat(500) + "\"y\"]}")
                .getBytes(StandardCharsets.UTF_8));
        sets.sets.put(SET, files);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        t.api.close();
    }

    private static Map<String, byte[]> unzip(byte[] zip, Map<String, Integer> methods) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                methods.put(e.getName(), e.getMethod());
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    private void assertHoldsTheSet(byte[] zip) throws IOException {
        Map<String, Integer> methods = new LinkedHashMap<>();
        Map<String, byte[]> entries = unzip(zip, methods);
        List<String> expected = new ArrayList<>();
        for (ImageSetFile f : sets.contents(SET)) {
            expected.add(SET + "/" + f.file());
        }
        assertEquals(expected, new ArrayList<>(entries.keySet()), "entries in the set's order");
        for (Map.Entry<String, byte[]> e : sets.sets.get(SET).entrySet()) {
            assertArrayEquals(e.getValue(), entries.get(SET + "/" + e.getKey()), e.getKey());
        }
        assertEquals(ZipEntry.STORED, methods.get(SET + "/image_01_north.jpg"));
        assertEquals(ZipEntry.DEFLATED, methods.get(SET + "/manifest.json"));
        // The end of central directory record: the archive was finished.
        assertTrue(indexOf(zip, new byte[] {'P', 'K', 5, 6}) > 0, "archive has its central directory");
    }

    private static int indexOf(byte[] data, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= data.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (data[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void theArchiveHoldsEveryFileOfTheSetByteForByte() throws Exception {
        t.api.imageSets().bind(sets);
        Reply.Stream s = assertInstanceOf(Reply.Stream.class, t.call("GET", "/v1/sets/" + SET + "/archive"));
        assertEquals("application/zip", s.contentType());
        assertEquals("attachment; filename=\"" + SET + ".zip\"", s.headers().get("Content-Disposition"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        s.writer().write(out);
        assertHoldsTheSet(out.toByteArray());
    }

    @Test
    void anUnknownSetIs404AndNoServiceIs503() {
        Problem noService = t.problem("GET", "/v1/sets/" + SET + "/archive");
        assertEquals(503, noService.status());
        assertTrue(noService.detail().contains("image sets are not available"), noService.detail());
        t.api.imageSets().bind(sets);
        Problem unknown = t.problem("GET", "/v1/sets/other/archive");
        assertEquals(404, unknown.status());
        assertTrue(unknown.detail().contains("other"), unknown.detail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/sets/../archive", "/v1/sets/%2e%2e/archive", "/v1/sets/a%2Fb/archive",
            "/v1/sets/a%5Cb/archive", "/v1/sets/.x/archive", "/v1/sets/a%00/archive", "/v1/sets/%252e%252e/archive",
            "/v1/sets/a.b/archive"})
    void namesThatCouldLeaveTheSetsFolderAre400AndNeverReachTheService(String path) {
        t.api.imageSets().bind(sets);
        assertEquals(400, t.problem("GET", path).status(), path);
        assertTrue(sets.reads.isEmpty(), sets.reads.toString());
    }

    @Test
    void aFileVanishingWhileWritingLeavesTheArchiveUnfinished() throws Exception {
        t.api.imageSets().bind(sets);
        Reply.Stream s = assertInstanceOf(Reply.Stream.class, t.call("GET", "/v1/sets/" + SET + "/archive"));
        sets.vanished = "image_02_south.jpg";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IOException e = assertThrows(IOException.class, () -> s.writer().write(out));
        assertTrue(e.getMessage().contains("image_02_south.jpg"), e.getMessage());
        assertTrue(out.size() > 300_000, "the first image was written before");
        assertEquals(-1, indexOf(out.toByteArray(), new byte[] {'P', 'K', 5, 6}), "no central directory");
    }

    // ---- over HTTP, asynchronous as deployed ----

    private int startJetty() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(new ApiServlet(t.api, t.drivers, 64 * 1024));
        holder.setAsyncSupported(true); // as the whiteboard registers it
        context.addServlet(holder, ApiServlet.PATTERN);
        server.setHandler(context);
        server.start();
        return connector.getLocalPort();
    }

    private static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).build();
    }

    @Test
    void overHttpTheArchiveIsStreamedWithItsHeaders() throws Exception {
        t.api.imageSets().bind(sets);
        int port = startJetty();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> r = http.send(get(port, "/api/v1/sets/" + SET + "/archive"),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("application/zip", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("attachment; filename=\"" + SET + ".zip\"", r.headers().firstValue("Content-Disposition").orElse(""));
        assertFalse(r.headers().firstValue("Content-Length").isPresent(), "streamed, not buffered");
        assertHoldsTheSet(r.body());

        HttpResponse<String> unknown = http.send(get(port, "/api/v1/sets/other/archive"), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode());
        assertEquals(Problem.MEDIA_TYPE, unknown.headers().firstValue("Content-Type").orElse(""));
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/sets/" + SET + "/archive")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
    }

    @Test
    void overHttpAFileVanishingMidStreamAbortsTheConnectionInsteadOfA500() throws Exception {
        t.api.imageSets().bind(sets);
        sets.vanished = "image_02_south.jpg";
        int port = startJetty();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> r = http.send(get(port, "/api/v1/sets/" + SET + "/archive"),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode(), "committed before the file went missing");
        try (InputStream in = r.body()) {
            assertThrows(IOException.class, in::readAllBytes, "the client sees the download fail");
        }
        // The server is fine afterwards.
        sets.vanished = null;
        HttpResponse<byte[]> again = http.send(get(port, "/api/v1/sets/" + SET + "/archive"),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, again.statusCode());
        assertHoldsTheSet(again.body());
    }
}
