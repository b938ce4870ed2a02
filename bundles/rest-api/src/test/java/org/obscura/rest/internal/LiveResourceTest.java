package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraState;

class LiveResourceTest {

    @TempDir
    Path dir;

    private TestApi api(Duration frameTimeout) {
        TestApi t = new TestApi(dir, frameTimeout);
        t.registry.camera(Fakes.status("left", "testpattern", CameraState.STREAMING));
        t.registry.subscriptions.put("left", new Fakes.Subscription("left"));
        return t;
    }

    @Test
    void frameSkipsPlaceholdersAndAnswersTheFirstCameraImage() throws Exception {
        TestApi t = api(Duration.ofSeconds(30));
        Fakes.Subscription s = t.registry.subscriptions.get("left");
        Fakes.Live placeholder = new Fakes.Live(1, true, "NOSIGNAL");
        Fakes.Live picture = new Fakes.Live(2, false, "PICTURE");
        s.frames.add(placeholder);
        s.frames.add(picture);
        Reply.Bytes b = assertInstanceOf(Reply.Bytes.class, t.call("GET", "/v1/cameras/left/frame?quality=55"));
        assertEquals("image/jpeg", b.contentType());
        byte[] data = new byte[b.data().remaining()];
        b.data().duplicate().get(data);
        assertEquals("PICTURE", new String(data, StandardCharsets.US_ASCII));
        assertEquals("2", b.headers().get("X-Frame-Index"));
        assertEquals("2025-01-02T03:04:05.678Z", b.headers().get("X-Timestamp"));
        assertEquals("no-store", b.headers().get("Cache-Control"));
        assertEquals(55, picture.askedQuality);
        assertTrue(placeholder.closed && picture.closed, "every frame handle is closed");
        assertEquals(1, s.closes.get(), "the subscription is closed");
    }

    @Test
    void frameTimesOutAs503WhenOfflineAnd504Otherwise() {
        TestApi t = api(Duration.ofMillis(300));
        Fakes.Subscription s = t.registry.subscriptions.get("left");
        s.frames.add(new Fakes.Live(1, true, "NOSIGNAL"));
        Problem offline = t.problem("GET", "/v1/cameras/left/frame");
        assertEquals(503, offline.status());
        assertTrue(offline.detail().contains("offline"), offline.detail());
        Problem silent = t.problem("GET", "/v1/cameras/left/frame");
        assertEquals(504, silent.status());
        assertTrue(silent.detail().contains("no picture within"), silent.detail());
        assertEquals(2, s.closes.get());
    }

    @Test
    void frameChecksItsParametersAndTheCamera() {
        TestApi t = api(Duration.ofMillis(300));
        assertEquals("quality", t.problem("GET", "/v1/cameras/left/frame?quality=0").field());
        assertEquals("quality", t.problem("GET", "/v1/cameras/left/frame?quality=101").field());
        assertEquals("quality", t.problem("GET", "/v1/cameras/left/frame?quality=high").field());
        assertEquals(404, t.problem("GET", "/v1/cameras/right/frame").status());
        assertEquals(0, t.registry.subscriptions.get("left").opened.get(), "bad parameters are refused before subscribing");
    }

    @Test
    void streamWritesMultipartPartsIncludingPlaceholdersUntilTheClientLeaves() throws Exception {
        TestApi t = api(Duration.ofSeconds(5));
        Fakes.Subscription s = t.registry.subscriptions.get("left");
        s.frames.add(new Fakes.Live(7, false, "ONE"));
        s.frames.add(new Fakes.Live(8, true, "NOSIGNAL"));
        s.frames.add(new Fakes.Live(9, false, "THREE"));
        Reply.Stream r = assertInstanceOf(Reply.Stream.class, t.call("GET", "/v1/cameras/left/stream"));
        assertEquals("multipart/x-mixed-replace; boundary=frame", r.contentType());
        assertEquals(1, t.api.live().openStreams());
        LeavingClient client = new LeavingClient(2);
        assertThrows(IOException.class, () -> r.writer().write(client));
        String expected = "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 3\r\n"
                + "X-Timestamp: 2025-01-02T03:04:05.678Z\r\nX-Frame-Index: 7\r\n\r\nONE\r\n"
                + "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 8\r\n"
                + "X-Timestamp: 2025-01-02T03:04:05.678Z\r\nX-Frame-Index: 8\r\nX-Placeholder: true\r\n\r\n"
                + "NOSIGNAL\r\n";
        assertEquals(expected, client.written());
        assertEquals(1, s.closes.get(), "the subscription is closed when the client leaves");
        assertEquals(0, t.api.live().openStreams());
    }

    @Test
    void streamsEndWhenTheApiCloses() throws Exception {
        TestApi t = api(Duration.ofSeconds(5));
        Fakes.Subscription s = t.registry.subscriptions.get("left");
        Reply.Stream r = assertInstanceOf(Reply.Stream.class, t.call("GET", "/v1/cameras/left/stream?fps=0.5"));
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread viewer = new Thread(() -> {
            try {
                r.writer().write(new ByteArrayOutputStream());
            } catch (Throwable e) {
                failure.set(e);
            } finally {
                done.countDown();
            }
        });
        viewer.start();
        s.frames.add(new Fakes.Live(1, false, "A"));
        t.api.close();
        assertTrue(done.await(30, TimeUnit.SECONDS), "the stream ended");
        assertEquals(null, failure.get());
        assertTrue(s.closed);
        assertEquals(503, t.problem("GET", "/v1/cameras/left/stream").status(), "no new streams after close");
    }

    @Test
    void endingStreamsLetsNewOnesStart() throws Exception {
        TestApi t = api(Duration.ofSeconds(5));
        Fakes.Subscription s = t.registry.subscriptions.get("left");
        Reply.Stream r = assertInstanceOf(Reply.Stream.class, t.call("GET", "/v1/cameras/left/stream"));
        t.api.live().endStreams();
        assertTrue(s.closed);
        // The writer sees it has been ended and returns at once.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> r.writer().write(new ByteArrayOutputStream()));
        s.closed = false;
        assertInstanceOf(Reply.Stream.class, t.call("GET", "/v1/cameras/left/stream"));
        assertEquals(1, t.api.live().openStreams());
    }

    @Test
    void aSubscriptionClosedByTheRegistryEndsTheStream() throws Exception {
        TestApi t = api(Duration.ofSeconds(5));
        Fakes.Subscription s = t.registry.subscriptions.get("left");
        Reply.Stream r = assertInstanceOf(Reply.Stream.class, t.call("GET", "/v1/cameras/left/stream"));
        s.closed = true; // next() now answers null at once, as a closed subscription does
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> r.writer().write(new ByteArrayOutputStream()));
        assertEquals(0, t.api.live().openStreams());
    }

    @Test
    void abandonedStreamsReleaseTheirSubscription() throws Exception {
        TestApi t = api(Duration.ofSeconds(5));
        Reply.Stream r = assertInstanceOf(Reply.Stream.class, t.call("GET", "/v1/cameras/left/stream"));
        r.writer().abandon();
        assertTrue(t.registry.subscriptions.get("left").closed);
        assertEquals(0, t.api.live().openStreams());
    }

    @Test
    void streamChecksFpsAndTheCamera() {
        TestApi t = api(Duration.ofSeconds(5));
        assertEquals("fps", t.problem("GET", "/v1/cameras/left/stream?fps=0").field());
        assertEquals("fps", t.problem("GET", "/v1/cameras/left/stream?fps=121").field());
        assertEquals("fps", t.problem("GET", "/v1/cameras/left/stream?fps=NaN").field());
        assertEquals(404, t.problem("GET", "/v1/cameras/right/stream").status());
        assertFalse(t.registry.subscriptions.get("left").closed);
    }

    /** A client that reads {@code parts} parts and then disconnects. */
    private static final class LeavingClient extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int flushes;
        private final int parts;

        LeavingClient(int parts) {
            this.parts = parts;
        }

        @Override
        public void write(int b) throws IOException {
            check();
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }

        private void check() throws IOException {
            if (flushes >= parts) {
                throw new IOException("Broken pipe");
            }
        }

        String written() {
            return bytes.toString(StandardCharsets.US_ASCII);
        }
    }
}
