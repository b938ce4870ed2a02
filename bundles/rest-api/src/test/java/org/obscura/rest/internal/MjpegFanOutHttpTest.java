package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.FrameListener;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.PixelFormat;

/**
 * The MJPEG fan-out in a real Jetty 12 with asynchronous support, fed by a hub that calls every viewer's
 * listener on one delivery thread (as camera-core's hub hands delivery to its workers): a listener that
 * blocked would stall every viewer. Clients are raw sockets speaking HTTP/1.0, so the body is the multipart
 * stream itself (no chunked framing) and each part can be parsed by its Content-Length.
 */
class MjpegFanOutHttpTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Instant TIMESTAMP = Instant.parse("2025-01-02T03:04:05.678Z");

    @TempDir
    Path dir;
    private Hub hub;
    private RestApi api;
    private Server server;
    private QueuedThreadPool jettyThreads;
    private int port;
    private final List<Closeable> cleanup = new ArrayList<>();
    /**
     * Writer threads of APIs made before this test's, by earlier tests of this JVM: a closed API's pool ends its
     * threads without waiting for them, so some may still be alive; they are not this test's to count.
     */
    private Set<Thread> earlierWriters;

    private interface Closeable {
        void close() throws Exception;
    }

    @BeforeEach
    void start() throws Exception {
        // Before this test's API exists, so none of its own writer threads can be among them.
        earlierWriters = writerThreads();
        hub = new Hub();
        Fakes.Registry fakes = new Fakes.Registry();
        fakes.driver(Fakes.testpatternInfo());
        fakes.camera(Fakes.status("left", "testpattern", CameraState.STREAMING));
        // Everything as the fake registry answers it, but subscriptions from the hub, with their listeners.
        CameraRegistry registry = (CameraRegistry) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {CameraRegistry.class}, (proxy, method, args) -> {
                    if (method.getName().equals("subscribe")) {
                        return hub.subscribe((String) args[0], (FrameListener) args[1]);
                    }
                    try {
                        return method.invoke(fakes, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        FormSource forms = (id, pid) -> Optional.empty();
        api = new RestApi(registry, new Fakes.Capture(), new Fakes.Store(dir),
                new CameraConfigurations(new Fakes.ConfigAdmin(), null), forms,
                Fakes.directory(new Fakes.Driver("testpattern", Fakes.PID)), new Fakes.Auth(),
                new RestApi.Settings(Duration.ofSeconds(2), "0.1.0", TestApi.STARTED),
                Clock.fixed(TestApi.NOW, ZoneOffset.UTC));

        jettyThreads = new QueuedThreadPool(200, 8);
        jettyThreads.setName("jetty");
        server = new Server(jettyThreads);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        // A small fixed send buffer (no autotuning), so that a client that does not read fills it within a
        // part or two instead of after megabytes of kernel buffering.
        connector.setAcceptedSendBufferSize(16 * 1024);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(new ApiServlet(api, Fakes.directory(), 64 * 1024));
        holder.setAsyncSupported(true); // as the whiteboard registers it (osgi.http.whiteboard.servlet.asyncSupported)
        context.addServlet(holder, ApiServlet.PATTERN);
        server.setHandler(context);
        server.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (Closeable c : cleanup) {
            c.close();
        }
        api.close();
        server.stop();
    }

    @Test
    void partsAreWrittenExactlyAsBeforeIncludingPlaceholders() throws Exception {
        Viewer v = viewer("/api/v1/cameras/left/stream", 0);
        assertTrue(v.head.startsWith("HTTP/1.1 200") || v.head.startsWith("HTTP/1.0 200"), v.head);
        assertTrue(v.head.contains("Content-Type: multipart/x-mixed-replace; boundary=frame"), v.head);
        waitFor(() -> hub.open() == 1, "the viewer subscribed");
        hub.push(new Picture(7, false, "ONE".getBytes(StandardCharsets.US_ASCII)));
        String one = v.rawPart();
        hub.push(new Picture(8, true, "NOSIGNAL".getBytes(StandardCharsets.US_ASCII)));
        String two = v.rawPart();
        assertEquals("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 3\r\n"
                + "X-Timestamp: 2025-01-02T03:04:05.678Z\r\nX-Frame-Index: 7\r\n\r\nONE\r\n", one);
        assertEquals("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 8\r\n"
                + "X-Timestamp: 2025-01-02T03:04:05.678Z\r\nX-Frame-Index: 8\r\nX-Placeholder: true\r\n\r\n"
                + "NOSIGNAL\r\n", two);
    }

    @Test
    void aClientReadingOnePartPerSecondDoesNotLowerTheOthersRateAndSkipsFrames() throws Exception {
        Pusher pusher = pusher(48 * 1024);
        List<Viewer> fast = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            fast.add(viewer("/api/v1/cameras/left/stream", 0).readContinuously());
        }
        Viewer slow = viewer("/api/v1/cameras/left/stream", 4 * 1024).readSlowly(Duration.ofSeconds(1));
        waitFor(() -> fast.stream().allMatch(v -> v.parts() > 0) && slow.parts() > 0, "every viewer got a part");

        long first = hub.index();
        long last = first + 120; // about 4 s of frames at 30 fps
        waitFor(() -> hub.index() >= last, "the hub pushed 120 more frames");
        int slowParts = slow.parts();
        pusher.finish();
        long pushed = hub.index() - first;

        for (Viewer v : fast) {
            long got = v.indices().stream().filter(i -> i > first && i <= first + pushed).count();
            // Generous, for a busy machine: a fast reader gets most frames; one held up by the slow one would get
            // about 4.
            assertTrue(got >= pushed / 4, "a fast client got " + got + " of " + pushed + " frames: " + v.indices());
        }
        List<Long> seen = slow.indices();
        assertTrue(slowParts >= 2 && slowParts <= 20, "the slow client read about one part per second: " + seen);
        long maxGap = 0;
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) > seen.get(i - 1), "frame indices only increase: " + seen);
            maxGap = Math.max(maxGap, seen.get(i) - seen.get(i - 1));
        }
        // Queued frames would be consecutive; skipped ones make the index jump by about the camera's rate.
        assertTrue(maxGap >= 5, "the slow client skips frames instead of queueing them: " + seen);
        assertTrue(seen.get(seen.size() - 1) - seen.get(0) + 1 > 2L * seen.size(),
                "most frames were skipped for the slow client: " + seen);
    }

    @Test
    void fiftyViewersHoldNoContainerThreads() throws Exception {
        pusher(8 * 1024);
        List<Viewer> viewers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            viewers.add(viewer("/api/v1/cameras/left/stream", 0).readContinuously());
        }
        waitFor(() -> viewers.stream().allMatch(v -> v.parts() >= 3), "all 50 viewers get frames");
        assertEquals(50, api.live().openStreams());
        int busy = 0;
        for (int i = 0; i < 20; i++) {
            busy = Math.max(busy, jettyThreads.getBusyThreads());
            Thread.sleep(25);
        }
        // Acceptor and selector threads are always busy; a thread per viewer would make it 50 more.
        assertTrue(busy < 25, "Jetty threads in use with 50 viewers: " + busy + " (" + jettyThreads.getThreads() + " in pool)");
        long writers = writerThreads().stream().filter(t -> !earlierWriters.contains(t)).count();
        assertTrue(writers <= Math.max(LiveResource.WRITER_THREADS_MIN, Runtime.getRuntime().availableProcessors()),
                "writer threads: " + writers);
        assertTrue(viewers.stream().allMatch(v -> v.failure == null), "no viewer failed");
    }

    @Test
    void aClientLeavingMidPartReleasesItsSubscriptionOnlyAndOnce() throws Exception {
        pusher(1024 * 1024);
        Viewer stays = viewer("/api/v1/cameras/left/stream", 0).readContinuously();
        Socket leaving = new Socket();
        leaving.setReceiveBufferSize(4 * 1024);
        leaving.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        leaving.setSoTimeout(30_000);
        leaving.getOutputStream().write(request("/api/v1/cameras/left/stream"));
        InputStream in = leaving.getInputStream();
        readUntil(in, "\r\n\r\n"); // response head
        String partHead = readUntil(in, "\r\n\r\n");
        assertTrue(partHead.contains("Content-Length: 1048576"), partHead);
        in.readNBytes(1000); // a little of a megabyte: the server is in the middle of writing this part
        Hub.Sub sub = hub.subscriptions.get(1);
        leaving.setSoLinger(true, 0); // reset, as a browser tab closed mid-frame
        leaving.close();

        waitFor(() -> sub.closes.get() > 0 && api.live().openStreams() == 1, "the leaving client's stream ended");
        int before = stays.parts();
        waitFor(() -> stays.parts() >= before + 5, "the other viewer keeps getting frames");
        assertEquals(1, sub.closes.get(), "the subscription is closed exactly once");
        assertEquals(0, hub.subscriptions.get(0).closes.get(), "the other viewer's subscription is untouched");
        assertEquals(null, stays.failure);
    }

    @Test
    void aRateCapSkipsFramesAndTheApiClosingEndsEveryStream() throws Exception {
        pusher(1024);
        Viewer capped = viewer("/api/v1/cameras/left/stream?fps=5", 0).readContinuously();
        Viewer full = viewer("/api/v1/cameras/left/stream", 0).readContinuously();
        waitFor(() -> capped.parts() > 0 && full.parts() > 0, "both viewers got a part");
        long first = hub.index();
        waitFor(() -> hub.index() >= first + 90, "the hub pushed 90 more frames");
        long cappedGot = capped.indices().stream().filter(i -> i > first && i <= first + 90).count();
        long fullGot = full.indices().stream().filter(i -> i > first && i <= first + 90).count();
        // 5 of 30 fps: about 15 parts; with no cap about 90.
        assertTrue(cappedGot >= 1 && cappedGot <= 45, "capped viewer got " + cappedGot + ": " + capped.indices());
        assertTrue(fullGot > cappedGot, "uncapped " + fullGot + ", capped " + cappedGot);

        api.close();
        waitFor(() -> capped.ended && full.ended, "the server ended both streams");
        assertEquals(0, api.live().openStreams());
        assertTrue(hub.subscriptions.stream().allMatch(s -> s.closes.get() == 1), "every subscription closed once");
    }

    private static Set<Thread> writerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("obscura-mjpeg-"))
                .collect(Collectors.toSet());
    }

    // ---- the fake hub ----

    /** A camera hub: keeps the newest frame and tells every open subscription's listener, on the caller's thread. */
    private static final class Hub {
        final List<Sub> subscriptions = new CopyOnWriteArrayList<>();
        private volatile Picture current;

        FrameSubscription subscribe(String camera, FrameListener listener) {
            if (!camera.equals("left")) {
                throw org.obscura.camera.api.CameraException.notFound("no camera '" + camera + "'");
            }
            Sub s = new Sub(listener);
            subscriptions.add(s);
            return s;
        }

        void push(Picture p) {
            current = p;
            for (Sub s : subscriptions) {
                if (s.closes.get() == 0 && s.listener != null) {
                    s.listener.frameAvailable(s);
                }
            }
        }

        long index() {
            Picture p = current;
            return p == null ? 0 : p.index;
        }

        long open() {
            return subscriptions.stream().filter(s -> s.closes.get() == 0).count();
        }

        final class Sub implements FrameSubscription {
            final FrameListener listener;
            final AtomicInteger closes = new AtomicInteger();

            Sub(FrameListener listener) {
                this.listener = listener;
            }

            @Override
            public String camera() {
                return "left";
            }

            @Override
            public CameraState state() {
                return CameraState.STREAMING;
            }

            @Override
            public LiveFrame latest() {
                return current;
            }

            @Override
            public LiveFrame next(long timeout, TimeUnit unit) throws InterruptedException {
                unit.sleep(timeout);
                return null;
            }

            @Override
            public void close() {
                closes.incrementAndGet();
            }
        }
    }

    private static final class Picture implements LiveFrame {
        final long index;
        final boolean placeholder;
        final byte[] jpeg;

        Picture(long index, boolean placeholder, byte[] jpeg) {
            this.index = index;
            this.placeholder = placeholder;
            this.jpeg = jpeg;
        }

        @Override
        public Frame frame() {
            return Frame.of(PixelFormat.JPEG, 4, 3, 0, index, 0, TIMESTAMP, ByteBuffer.wrap(jpeg));
        }

        @Override
        public long index() {
            return index;
        }

        @Override
        public boolean placeholder() {
            return placeholder;
        }

        @Override
        public ByteBuffer jpeg() {
            return ByteBuffer.wrap(jpeg).asReadOnlyBuffer();
        }

        @Override
        public ByteBuffer jpeg(int quality) {
            return jpeg();
        }

        @Override
        public void close() {
        }
    }

    /** Pushes frames of {@code size} bytes at about 30 fps from one thread, like a camera. */
    private Pusher pusher(int size) {
        Pusher p = new Pusher(size);
        p.start();
        cleanup.add(p::finish);
        return p;
    }

    private final class Pusher extends Thread {
        private final byte[] data;
        private volatile boolean stopped;

        Pusher(int size) {
            super("camera");
            setDaemon(true);
            data = new byte[size];
            Arrays.fill(data, (byte) 'x');
        }

        @Override
        public void run() {
            long index = 0;
            while (!stopped) {
                hub.push(new Picture(++index, false, data));
                try {
                    Thread.sleep(33);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void finish() throws InterruptedException {
            stopped = true;
            join(10_000);
        }
    }

    // ---- clients ----

    private static byte[] request(String path) {
        return ("GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A viewer on a raw socket; {@code receiveBuffer} > 0 makes its socket's receive buffer that small. */
    private Viewer viewer(String path, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(30_000);
        socket.getOutputStream().write(request(path));
        Viewer v = new Viewer(socket);
        cleanup.add(v::close);
        return v;
    }

    private static final class Viewer {
        final Socket socket;
        final InputStream in;
        final String head;
        private final List<Long> indices = new CopyOnWriteArrayList<>();
        private final AtomicLong count = new AtomicLong();
        volatile Throwable failure;
        volatile boolean ended;
        private Thread reader;

        Viewer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new java.io.BufferedInputStream(socket.getInputStream(), 2048);
            this.head = readUntil(in, "\r\n\r\n");
        }

        /** The next part exactly as sent. */
        String rawPart() throws IOException {
            String partHead = readUntil(in, "\r\n\r\n");
            int length = Integer.parseInt(headers(partHead).get("content-length"));
            byte[] body = in.readNBytes(length + 2);
            return partHead + new String(body, StandardCharsets.US_ASCII);
        }

        /** Reads one part, records its index; false at the end of the stream. */
        private boolean readPart() throws IOException {
            String partHead;
            try {
                partHead = readUntil(in, "\r\n\r\n");
            } catch (EndOfStream e) {
                return false;
            }
            Map<String, String> h = headers(partHead);
            int length = Integer.parseInt(h.get("content-length"));
            try {
                in.skipNBytes(length + 2);
            } catch (java.io.EOFException e) {
                return false;
            }
            indices.add(Long.parseLong(h.get("x-frame-index")));
            count.incrementAndGet();
            return true;
        }

        Viewer readContinuously() {
            return readWith(Duration.ZERO);
        }

        /** Reads one part, then waits {@code pause}, and so on: a viewer on a very slow link. */
        Viewer readSlowly(Duration pause) {
            return readWith(pause);
        }

        private Viewer readWith(Duration pause) {
            reader = new Thread(() -> {
                try {
                    while (readPart()) {
                        if (!pause.isZero()) {
                            Thread.sleep(pause.toMillis());
                        }
                    }
                    ended = true;
                } catch (InterruptedException e) {
                    // closed by the test
                } catch (Throwable e) {
                    if (!socket.isClosed()) {
                        failure = e;
                    }
                }
            }, "viewer");
            reader.setDaemon(true);
            reader.start();
            return this;
        }

        int parts() {
            return (int) count.get();
        }

        List<Long> indices() {
            return List.copyOf(indices);
        }

        void close() throws Exception {
            socket.close();
            if (reader != null) {
                reader.interrupt();
                reader.join(10_000);
            }
        }
    }

    private static final class EndOfStream extends IOException {
        EndOfStream(String read) {
            super("connection closed after: " + read);
        }
    }

    private static Map<String, String> headers(String head) {
        Map<String, String> h = new HashMap<>();
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                h.put(line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return h;
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] tail = end.getBytes(StandardCharsets.US_ASCII);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EndOfStream(b.toString(StandardCharsets.US_ASCII));
            }
            b.write(c);
            if (b.size() >= tail.length && endsWith(b.toByteArray(), tail)) {
                return b.toString(StandardCharsets.US_ASCII);
            }
        }
    }

    private static boolean endsWith(byte[] bytes, byte[] tail) {
        return Arrays.equals(bytes, bytes.length - tail.length, bytes.length, tail, 0, tail.length);
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting: " + what);
            }
            Thread.sleep(20);
        }
    }
}
