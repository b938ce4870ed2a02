package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.PixelFormat;

/** The derived frame forms: small JPEG, PNG, raw BGR, their parameters, per-frame caching and health's encoder. */
class FrameFormsTest {

    @TempDir
    Path dir;

    /** Records its calls; sizes beyond the frame are refused as the core's implementation does. */
    static final class Images implements FrameImages {
        final List<String> calls = new CopyOnWriteArrayList<>();
        boolean fallback;

        @Override
        public String jpegCodec() {
            return fallback ? "java-imageio" : "libjpeg-turbo 2.1";
        }

        @Override
        public boolean jpegFallback() {
            return fallback;
        }

        @Override
        public ByteBuffer jpeg(Frame frame, int width, int height, int quality) {
            if (width > frame.width()) {
                throw CameraException.invalid("width", "width must be between 1 and the frame's width " + frame.width());
            }
            if (height > frame.height()) {
                throw CameraException.invalid("height", "height must be between 1 and the frame's height " + frame.height());
            }
            String s = "jpeg " + width + "x" + height + " q" + quality + " #" + frame.sequence();
            calls.add(s);
            return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public ByteBuffer png(Frame frame) {
            calls.add("png #" + frame.sequence());
            return ByteBuffer.wrap("PNG".getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public ByteBuffer bgr(Frame frame) {
            calls.add("bgr #" + frame.sequence());
            byte[] pixels = new byte[frame.width() * frame.height() * 3];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) i;
            }
            return ByteBuffer.wrap(pixels);
        }
    }

    /** A raw 8x6 YUYV frame with a hub index. */
    static final class RawLive implements LiveFrame {
        final Frame frame;
        final long index;
        volatile Integer askedQuality;

        RawLive(long index) {
            this.index = index;
            this.frame = Frame.of(PixelFormat.YUYV, 8, 6, 16, index, 0, Instant.parse("2025-01-02T03:04:05Z"),
                    ByteBuffer.allocate(16 * 6));
        }

        @Override
        public Frame frame() {
            return frame;
        }

        @Override
        public long index() {
            return index;
        }

        @Override
        public boolean placeholder() {
            return false;
        }

        @Override
        public ByteBuffer jpeg() {
            return ByteBuffer.wrap(("hub #" + index).getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public ByteBuffer jpeg(int quality) {
            askedQuality = quality;
            return ByteBuffer.wrap(("hub q" + quality + " #" + index).getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void close() {
        }
    }

    private final Images images = new Images();
    private TestApi base;
    private Fakes.Subscription subscription;
    private final Router router = new Router();

    private void setUp(FrameImages frameImages) {
        base = new TestApi(dir, Duration.ofMillis(300));
        base.registry.camera(Fakes.status("left", "testpattern", CameraState.STREAMING));
        subscription = new Fakes.Subscription("left");
        base.registry.subscriptions.put("left", subscription);
        new LiveResource(base.registry, Duration.ofMillis(300), frameImages).addRoutes(router);
        new HealthResource(base.registry, base.store, "0.1.0", TestApi.STARTED, Clock.fixed(TestApi.NOW, ZoneOffset.UTC),
                frameImages).addRoutes(router);
    }

    private Reply call(String target) throws Exception {
        subscription.closed = false; // the fake is reused; each request closes it
        int q = target.indexOf('?');
        Router.Match m = router.match("GET", q < 0 ? target : target.substring(0, q));
        Call call = new Call("GET", m.params(), q < 0 ? null : target.substring(q + 1), () -> new byte[0], "/api", base.json);
        return m.route().handler().handle(call);
    }

    private Problem problem(String target) {
        try {
            Reply r = call(target);
            fail(target + " answered " + r);
            return null;
        } catch (ApiException e) {
            return e.problem();
        } catch (CameraException e) {
            return Problem.of(e);
        } catch (Exception e) {
            throw new AssertionError(target + " failed unexpectedly", e);
        }
    }

    private static String text(Reply.Bytes b) {
        ByteBuffer d = b.data().duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void smallFrameScalesKeepingTheAspectWhenOneSideIsGiven() throws Exception {
        setUp(images);
        subscription.frames.add(new RawLive(1));
        Reply.Bytes b = assertInstanceOf(Reply.Bytes.class, call("/v1/cameras/left/frame?width=4&height=2&quality=70"));
        assertEquals("image/jpeg", b.contentType());
        assertEquals("jpeg 4x2 q70 #1", text(b));
        subscription.frames.add(new RawLive(2));
        assertEquals("jpeg 4x3 q80 #2", text((Reply.Bytes) call("/v1/cameras/left/frame?width=4")));
        subscription.frames.add(new RawLive(3));
        assertEquals("jpeg 3x2 q80 #3", text((Reply.Bytes) call("/v1/cameras/left/frame?height=2")), "8x6: 2 * 8 / 6 rounds to 3");
    }

    @Test
    void fullSizeAsksTheHubNotTheConverter() throws Exception {
        setUp(images);
        RawLive frame = new RawLive(5);
        subscription.frames.add(frame);
        assertEquals("hub q60 #5", text((Reply.Bytes) call("/v1/cameras/left/frame?width=8&height=6&quality=60")));
        assertEquals(List.of(), images.calls);
    }

    @Test
    void pngAndRawCarryTheirTypesAndShape() throws Exception {
        setUp(images);
        subscription.frames.add(new RawLive(1));
        Reply.Bytes png = assertInstanceOf(Reply.Bytes.class, call("/v1/cameras/left/frame.png"));
        assertEquals("image/png", png.contentType());
        assertEquals("PNG", text(png));
        subscription.frames.add(new RawLive(1));
        Reply.Bytes raw = assertInstanceOf(Reply.Bytes.class, call("/v1/cameras/left/frame.raw"));
        assertEquals("application/octet-stream", raw.contentType());
        Map<String, String> h = raw.headers();
        assertEquals("8", h.get("X-Width"));
        assertEquals("6", h.get("X-Height"));
        assertEquals("3", h.get("X-Channels"));
        assertEquals("uint8", h.get("X-Dtype"));
        assertEquals(Integer.parseInt(h.get("X-Width")) * Integer.parseInt(h.get("X-Height")) * 3, raw.data().remaining(),
                "reshape(h, w, c) fits the body exactly");
        subscription.frames.add(new RawLive(1));
        assertEquals("PNG", text((Reply.Bytes) call("/v1/cameras/left/frame?format=png")));
    }

    @Test
    void eachFormIsComputedOncePerFrame() throws Exception {
        setUp(images);
        for (int i = 0; i < 3; i++) {
            subscription.frames.add(new RawLive(7));
            call("/v1/cameras/left/frame.png");
            subscription.frames.add(new RawLive(7));
            call("/v1/cameras/left/frame?width=4&height=3&quality=50");
        }
        assertEquals(List.of("png #7", "jpeg 4x3 q50 #7"), images.calls);
        subscription.frames.add(new RawLive(8));
        call("/v1/cameras/left/frame.png");
        subscription.frames.add(new RawLive(7)); // an older frame than the cached one: computed, not cached
        call("/v1/cameras/left/frame.png");
        subscription.frames.add(new RawLive(8));
        call("/v1/cameras/left/frame.png");
        assertEquals(List.of("png #7", "jpeg 4x3 q50 #7", "png #8", "png #7"), images.calls);
    }

    @Test
    void badParametersAnswer400NamingTheField() {
        setUp(images);
        for (String q : new String[] {"width=0", "width=-3", "height=0", "height=x", "quality=0", "quality=101"}) {
            Problem p = problem("/v1/cameras/left/frame?" + q);
            assertEquals(400, p.status(), q);
            assertEquals(q.substring(0, q.indexOf('=')), p.field(), q);
        }
        subscription.frames.add(new RawLive(1));
        Problem wide = problem("/v1/cameras/left/frame?width=9&height=6");
        assertEquals(400, wide.status());
        assertEquals("width", wide.field());
        subscription.frames.add(new RawLive(2));
        assertEquals("height", problem("/v1/cameras/left/frame?height=7").field());
        Problem format = problem("/v1/cameras/left/frame?format=bmp");
        assertEquals(400, format.status());
        assertEquals("format", format.field());
        assertEquals("quality", problem("/v1/cameras/left/stream?quality=0").field());
        assertEquals(400, problem("/v1/cameras/left/stream?quality=500").status());
    }

    @Test
    void withoutTheConverterTheDerivedFormsAnswer503() {
        setUp(null);
        subscription.frames.add(new RawLive(1));
        assertEquals(503, problem("/v1/cameras/left/frame.png").status());
    }

    @Test
    void streamUsesTheAskedQuality() throws Exception {
        setUp(images);
        RawLive frame = new RawLive(3);
        subscription.frames.add(frame);
        Reply.Stream s = assertInstanceOf(Reply.Stream.class, call("/v1/cameras/left/stream?quality=42"));
        MjpegStream one = assertInstanceOf(MjpegStream.class, s.writer());
        // The (blocking) writer stops once the first part is out and flushed.
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void flush() {
                one.end();
            }
        };
        one.write(out);
        assertEquals(42, frame.askedQuality);
        assertEquals(true, out.toString(StandardCharsets.ISO_8859_1).contains("hub q42 #3"));
    }

    @Test
    void healthReportsTheEncoder() throws Exception {
        setUp(images);
        Map<String, Object> body = base.object(call("/v1/health"));
        assertEquals(Map.of("name", "libjpeg-turbo 2.1", "fallback", false), body.get("encoder"));
        images.fallback = true;
        body = base.object(call("/v1/health"));
        assertEquals(Map.of("name", "java-imageio", "fallback", true), body.get("encoder"));
        assertEquals("ok", body.get("status"));
    }
}
