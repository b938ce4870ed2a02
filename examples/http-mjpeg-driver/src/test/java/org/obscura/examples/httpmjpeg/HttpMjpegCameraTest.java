package org.obscura.examples.httpmjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.spi.FrameSink;

class HttpMjpegCameraTest {

    private static final long WAIT = 30;

    private MjpegServer server;
    private HttpMjpegCamera camera;

    /** Records frames (copying what it needs, as a hub would) and failures; flags calls after stop. */
    static final class Sink implements FrameSink {
        final List<Frame> frames = new CopyOnWriteArrayList<>();
        final List<CameraException> errors = new CopyOnWriteArrayList<>();
        final CountDownLatch threeFrames = new CountDownLatch(3);
        final CountDownLatch failed = new CountDownLatch(1);
        final AtomicBoolean stopped = new AtomicBoolean();
        final AtomicBoolean late = new AtomicBoolean();

        @Override
        public void frame(Frame frame) {
            late.compareAndSet(false, stopped.get());
            if (frames.size() < 5) {
                frames.add(Frame.jpeg(frame.width(), frame.height(), frame.sequence(), frame.toByteArray()));
            }
            threeFrames.countDown();
        }

        @Override
        public void failed(CameraException error) {
            late.compareAndSet(false, stopped.get());
            errors.add(error);
            failed.countDown();
        }
    }

    @BeforeEach
    void serve() throws Exception {
        server = new MjpegServer();
    }

    @AfterEach
    void shutDown() {
        if (camera != null) {
            camera.close();
        }
        server.close();
    }

    private HttpMjpegCamera camera(String path, Object... more) {
        Map<String, Object> p = new HashMap<>(Map.of("name", "esp", "url", server.url(path), "reconnect.attempts", 1,
                "read.timeout.seconds", 5));
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        camera = new HttpMjpegCamera(p);
        return camera;
    }

    @Test
    void framesFlowAsJpegOfTheSourceSize() throws Exception {
        HttpMjpegCamera cam = camera("/stream");
        assertEquals(0, cam.descriptor().mode().width(), "unknown before the first frame");
        Sink sink = new Sink();
        cam.start(sink);
        assertTrue(sink.threeFrames.await(WAIT, TimeUnit.SECONDS));
        Frame f = sink.frames.get(0);
        assertEquals(PixelFormat.JPEG, f.format());
        assertEquals(MjpegServer.WIDTH, f.width());
        assertEquals(MjpegServer.HEIGHT, f.height());
        assertEquals(0xFF, f.toByteArray()[0] & 0xFF);
        assertTrue(sink.frames.get(1).sequence() > f.sequence());
        assertEquals(MjpegServer.WIDTH, cam.descriptor().mode().width());
        assertEquals("httpmjpeg", cam.descriptor().driver());
        cam.stop();
        sink.stopped.set(true);
        assertFalse(cam.streaming());
        assertTrue(sink.errors.isEmpty(), sink.errors.toString());
        assertFalse(sink.late.get());
    }

    @Test
    void partsWithoutLengthWork() throws Exception {
        Sink sink = new Sink();
        camera("/bare").start(sink);
        assertTrue(sink.threeFrames.await(WAIT, TimeUnit.SECONDS));
        assertEquals(MjpegServer.WIDTH, sink.frames.get(2).width());
    }

    @Test
    void reconnectsWhenTheSourceDropsThenReportsTheFailure() throws Exception {
        Sink sink = new Sink();
        camera("/short", "reconnect.attempts", 2).start(sink);
        assertTrue(sink.failed.await(WAIT, TimeUnit.SECONDS));
        CameraException e = sink.errors.get(0);
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().contains("after 2 reconnects"), e.getMessage());
        // 3 images per connection: the reconnects delivered more than the first connection could
        assertEquals(3, server.connections.get());
        assertTrue(sink.frames.size() >= 5, "frames " + sink.frames.size());
        assertEquals(1, sink.errors.size());
    }

    @Test
    void refusedCredentialsMissingPagesAndWebPagesFailAtOnceWithAReason() throws Exception {
        for (String[] c : new String[][] { { "/secret", "refused access (HTTP 401)" }, { "/nothing", "HTTP 404" },
                { "/page", "not an MJPEG stream (Content-Type text/html)" } }) {
            Sink sink = new Sink();
            HttpMjpegCamera cam = camera(c[0], "reconnect.attempts", 5);
            cam.start(sink);
            assertTrue(sink.failed.await(WAIT, TimeUnit.SECONDS), c[0]);
            assertTrue(sink.errors.get(0).getMessage().contains(c[1]), sink.errors.get(0).getMessage());
            cam.close();
        }
        assertEquals(3, server.connections.get(), "no retries for errors that retrying cannot fix");
    }

    @Test
    void credentialsAreSent() throws Exception {
        Sink sink = new Sink();
        camera("/secret", "username", "user", "password", "pw").start(sink);
        assertTrue(sink.threeFrames.await(WAIT, TimeUnit.SECONDS));
    }

    @Test
    void stopClosesTheConnectionWhileUnreachableSourcesFailAfterRetries() throws Exception {
        Sink sink = new Sink();
        HttpMjpegCamera cam = camera("/stream");
        cam.start(sink);
        assertTrue(sink.threeFrames.await(WAIT, TimeUnit.SECONDS));
        cam.stop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (server.open.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, server.open.get(), "the server saw the camera leave");

        String dead = server.url("/stream");
        server.close();
        Sink gone = new Sink();
        HttpMjpegCamera offline = new HttpMjpegCamera(Map.of("name", "gone", "url", dead, "reconnect.attempts", 1,
                "connect.timeout.seconds", 2));
        try {
            offline.start(gone);
            assertTrue(gone.failed.await(WAIT, TimeUnit.SECONDS));
            assertEquals(Kind.UNAVAILABLE, gone.errors.get(0).kind());
        } finally {
            offline.close();
        }
    }

    @Test
    void stillsComeFromTheStreamOrAFreshConnection() throws Exception {
        HttpMjpegCamera cam = camera("/stream");
        Frame idle = cam.captureStill();
        assertEquals(MjpegServer.WIDTH, idle.width());
        idle.release();
        Sink sink = new Sink();
        cam.start(sink);
        assertTrue(sink.threeFrames.await(WAIT, TimeUnit.SECONDS));
        int before = server.connections.get();
        Frame live = cam.captureStill();
        assertEquals(MjpegServer.HEIGHT, live.height());
        live.release();
        assertEquals(before, server.connections.get(), "taken from the running stream");
    }

    @Test
    void aBadConfigurationIsRefusedNamingTheField() {
        CameraException e = org.junit.jupiter.api.Assertions.assertThrows(CameraException.class,
                () -> new HttpMjpegCamera(Map.of("name", "x", "url", "rtsp://cam/")));
        assertEquals("url", e.field());
    }
}
