package org.obscura.driver.testpattern.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;
import org.obscura.camera.spi.FrameSink;
import org.obscura.driver.testpattern.internal.PatternRenderer.Look;

class TestPatternCameraTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<TestPatternCamera> cameras = new ArrayList<>();

    @AfterEach
    void closeCameras() {
        cameras.forEach(TestPatternCamera::close);
    }

    private TestPatternCamera camera(Object... keyValues) {
        Map<String, Object> p = new HashMap<>();
        p.put(CameraConfig.NAME, "cam1");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put((String) keyValues[i], keyValues[i + 1]);
        }
        TestPatternCamera camera = new TestPatternCamera(CameraSetup.parse(p), false, ZoneOffset.UTC);
        cameras.add(camera);
        return camera;
    }

    private static void assertStopped(TestPatternCamera camera, RecordingSink sink, Thread streamThread)
            throws InterruptedException {
        camera.stop();
        sink.markStopped();
        streamThread.join(WAIT.toMillis());
        assertFalse(streamThread.isAlive(), "stream thread still running after stop");
        assertEquals(0, sink.callsAfterStop(), "sink called after stop returned");
    }

    private static double meanLuma(byte[] yuyv) {
        long sum = 0;
        for (int i = 0; i < yuyv.length; i += 2) {
            sum += yuyv[i] & 0xff;
        }
        return sum / (yuyv.length / 2.0);
    }

    @Test
    void describesItself() {
        TestPatternCamera camera = camera("label", "Bench", "width", 320, "height", 240, "fps", 30, "stereo", true,
                "stereo.order", 2, "interrupt.service", "motion");
        CameraDescriptor d = camera.descriptor();
        assertEquals("cam1", d.name());
        assertEquals("Bench", d.label());
        assertEquals("testpattern", d.driver());
        assertEquals("pattern", d.device());
        assertEquals(PixelFormat.YUYV, d.mode().format());
        assertEquals("320x240", d.mode().resolution());
        assertEquals(30.0, d.mode().fps());
        assertEquals(Set.of(Capability.STREAM, Capability.STILL, Capability.SETTINGS), d.capabilities());
        assertTrue(d.stereo());
        assertEquals(2, d.stereoOrder());
        assertEquals("motion", d.interruptService());
        assertEquals(Map.of("camera.name", "cam1", "camera.driver", "testpattern"), camera.serviceProperties());
    }

    @Test
    void streamsYuyvFramesOfTheConfiguredGeometryAtTheConfiguredRate() throws Exception {
        TestPatternCamera camera = camera("width", 320, "height", 240, "fps", 30);
        RecordingSink sink = new RecordingSink(100);
        long started = System.nanoTime();
        camera.start(sink);
        List<RecordingSink.Received> frames = sink.awaitFrames(20, WAIT);

        for (RecordingSink.Received f : frames) {
            assertEquals(PixelFormat.YUYV, f.format());
            assertEquals(320, f.width());
            assertEquals(240, f.height());
            assertEquals(640, f.stride());
            assertEquals(320 * 240 * 2, f.data().length);
        }
        for (int i = 1; i < frames.size(); i++) {
            assertTrue(frames.get(i).sequence() > frames.get(i - 1).sequence(), "sequence increases");
            assertTrue(frames.get(i).monotonicNanos() >= frames.get(i - 1).monotonicNanos(), "time increases");
        }
        // a fixed-rate timer can be late, never early: frame k is due k periods after the start
        long period = 1_000_000_000L / 30;
        assertTrue(frames.get(19).arrivedNanos() - started >= 19 * period * 9 / 10,
                "20 frames came faster than 30 fps");
        Thread thread = frames.get(0).thread();
        assertEquals("testpattern-cam1", thread.getName());
        assertTrue(thread.isDaemon());
        assertTrue(frames.stream().allMatch(f -> f.thread() == thread), "one thread per stream");
        assertFalse(Arrays.equals(frames.get(0).data(), frames.get(1).data()), "picture changes between frames");

        assertStopped(camera, sink, thread);
    }

    @Test
    void stopsAndRestarts() throws Exception {
        TestPatternCamera camera = camera("width", 64, "height", 48, "fps", 60);
        camera.stop(); // idempotent, also before any start
        RecordingSink first = new RecordingSink(10);
        camera.start(first);
        List<RecordingSink.Received> a = first.awaitFrames(3, WAIT);
        assertStopped(camera, first, a.get(0).thread());
        camera.stop();

        RecordingSink second = new RecordingSink(10);
        camera.start(second);
        List<RecordingSink.Received> b = second.awaitFrames(3, WAIT);
        assertTrue(b.get(0).sequence() > a.get(a.size() - 1).sequence(), "sequence keeps increasing");
        assertStopped(camera, second, b.get(0).thread());
    }

    @Test
    void startTwiceIsAConflictAndAClosedCameraIsUnavailable() throws Exception {
        TestPatternCamera camera = camera("width", 64, "height", 48);
        RecordingSink sink = new RecordingSink(1);
        camera.start(sink);
        CameraException twice = assertThrows(CameraException.class, () -> camera.start(new RecordingSink(1)));
        assertEquals(Kind.CONFLICT, twice.kind());
        List<RecordingSink.Received> frames = sink.awaitFrames(1, WAIT);
        camera.close();
        sink.markStopped();
        frames.get(0).thread().join(WAIT.toMillis());
        assertFalse(frames.get(0).thread().isAlive());
        assertEquals(0, sink.callsAfterStop());
        assertEquals(Kind.UNAVAILABLE, assertThrows(CameraException.class, () -> camera.start(sink)).kind());
        assertEquals(Kind.UNAVAILABLE, assertThrows(CameraException.class, camera::captureStill).kind());
    }

    @Test
    void aSinkMayStopTheCameraFromInsideItsCallback() throws Exception {
        TestPatternCamera camera = camera("width", 64, "height", 48, "fps", 60);
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Thread> thread = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        camera.start(new FrameSink() {
            @Override
            public void frame(Frame frame) {
                thread.set(Thread.currentThread());
                if (calls.incrementAndGet() == 3) {
                    camera.stop();
                    stopped.countDown();
                }
            }

            @Override
            public void failed(CameraException error) {
                calls.incrementAndGet();
            }
        });
        assertTrue(stopped.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        thread.get().join(WAIT.toMillis());
        assertFalse(thread.get().isAlive());
        assertEquals(3, calls.get());
    }

    @Test
    void pooledBuffersAreRecycledNotReallocated() throws Exception {
        TestPatternCamera camera = camera("width", 64, "height", 48, "fps", 120);
        // behaves like a frame hub: keeps the newest frame, lets the previous one go
        AtomicReference<Frame> latest = new AtomicReference<>();
        AtomicInteger count = new AtomicInteger();
        CountDownLatch enough = new CountDownLatch(200);
        camera.start(new FrameSink() {
            @Override
            public void frame(Frame frame) {
                Frame previous = latest.getAndSet(frame.retain());
                if (previous != null) {
                    previous.release();
                }
                count.incrementAndGet();
                enough.countDown();
            }

            @Override
            public void failed(CameraException error) {
            }
        });
        assertTrue(enough.await(WAIT.toSeconds() * 2, TimeUnit.SECONDS), "frames: " + count.get());
        assertEquals(2, camera.pooledBuffers(), "one held by the sink, one being filled");
        camera.stop();
        latest.get().release();
    }

    @Test
    void aStreamWhoseBuffersAreAllHeldSkipsFramesInsteadOfAllocating() throws Exception {
        TestPatternCamera camera = camera("width", 64, "height", 48, "fps", 120);
        List<Frame> held = new ArrayList<>();
        RecordingSink counter = new RecordingSink(0);
        camera.start(new FrameSink() {
            @Override
            public void frame(Frame frame) {
                synchronized (held) {
                    held.add(frame.retain());
                }
                counter.frame(frame);
            }

            @Override
            public void failed(CameraException error) {
                counter.failed(error);
            }
        });
        counter.awaitFrames(PatternSource.POOL_CAPACITY, WAIT);
        Thread.sleep(300); // some 36 ticks at 120 fps, all of them with no free buffer
        assertEquals(PatternSource.POOL_CAPACITY, counter.count());
        assertEquals(PatternSource.POOL_CAPACITY, camera.pooledBuffers());
        synchronized (held) {
            held.forEach(Frame::release);
            held.clear();
        }
        counter.awaitFrames(PatternSource.POOL_CAPACITY * 2, WAIT);
        camera.stop();
        synchronized (held) {
            held.forEach(Frame::release);
        }
    }

    @Test
    void streamFramesAreExactlyThePatternOfTheirNumberAndFollowTheSetting() throws Exception {
        TestPatternCamera camera = camera("width", 160, "height", 120, "fps", 60);
        RecordingSink sink = new RecordingSink(1000);
        camera.start(sink);
        sink.awaitFrames(2, WAIT);
        camera.setSetting("pattern", "checkers");
        int changedAt = sink.count();
        List<RecordingSink.Received> frames = sink.awaitFrames(changedAt + 2, WAIT);
        camera.stop();
        RecordingSink.Received f = frames.get(changedAt + 1);

        // outside the text box (rows below it), a frame is a function of its number only
        PatternRenderer renderer = new PatternRenderer(160, 120, "x", ZoneOffset.UTC);
        renderer.render(new Look(Pattern.CHECKERS, 0, false), f.sequence(), Instant.EPOCH);
        YuyvConverter yuyv = new YuyvConverter(160, 120);
        ByteBuffer expected = ByteBuffer.allocate(yuyv.frameLength());
        yuyv.convert(renderer.pixels(), expected);
        Rectangle text = renderer.textArea();
        int from = (text.y + text.height) * 160 * 2;
        assertArrayEquals(Arrays.copyOfRange(expected.array(), from, expected.capacity()),
                Arrays.copyOfRange(f.data(), from, f.data().length));
    }

    @Test
    void brightnessSettingShowsInTheStream() throws Exception {
        TestPatternCamera camera = camera("width", 160, "height", 120, "fps", 60);
        RecordingSink sink = new RecordingSink(1000);
        camera.start(sink);
        List<RecordingSink.Received> before = sink.awaitFrames(1, WAIT);
        camera.setSetting("brightness", -100);
        int changedAt = sink.count();
        List<RecordingSink.Received> after = sink.awaitFrames(changedAt + 2, WAIT);
        camera.stop();
        double plain = meanLuma(before.get(0).data());
        double darker = meanLuma(after.get(changedAt + 1).data());
        assertTrue(darker < plain - 40, "mean luma " + plain + " -> " + darker);
    }

    @Test
    void jpegFramesDecodeToTheConfiguredSize() throws Exception {
        TestPatternCamera camera = camera("width", 320, "height", 180, "format", "JPEG", "jpeg.quality", 70);
        assertEquals(PixelFormat.JPEG, camera.descriptor().mode().format());
        RecordingSink sink = new RecordingSink(3);
        camera.start(sink);
        List<RecordingSink.Received> frames = sink.awaitFrames(3, WAIT);
        assertStopped(camera, sink, frames.get(0).thread());
        for (RecordingSink.Received f : frames) {
            assertEquals(PixelFormat.JPEG, f.format());
            assertEquals(0, f.stride());
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(f.data()));
            assertNotNull(image, "decodes");
            assertEquals(320, image.getWidth());
            assertEquals(180, image.getHeight());
        }
    }

    @Test
    void jpegQualityChangesTheSize() throws IOException {
        int low = camera("width", 320, "height", 240, "format", "JPEG", "jpeg.quality", 20).captureStill().length();
        int high = camera("width", 320, "height", 240, "format", "JPEG", "jpeg.quality", 95).captureStill().length();
        assertTrue(low < high, low + " bytes at 20, " + high + " at 95");
    }

    @Test
    void captureStillReturnsAWholeFrameIdleAndWhileStreaming() throws Exception {
        TestPatternCamera camera = camera("width", 640, "height", 360, "fps", 30);
        Frame idle = camera.captureStill();
        assertEquals(PixelFormat.YUYV, idle.format());
        assertEquals(640, idle.width());
        assertEquals(360, idle.height());
        assertEquals(1280, idle.stride());
        assertEquals(640 * 360 * 2, idle.length());
        idle.release();

        RecordingSink sink = new RecordingSink(5);
        camera.start(sink);
        List<RecordingSink.Received> frames = sink.awaitFrames(2, WAIT);
        Frame streaming = camera.captureStill();
        assertEquals(640 * 360 * 2, streaming.length());
        assertTrue(streaming.sequence() > idle.sequence());
        streaming.release();
        sink.awaitFrames(4, WAIT); // the stream goes on
        assertStopped(camera, sink, frames.get(0).thread());
    }

    @Test
    void jpegStillDecodes() throws IOException {
        Frame still = camera("width", 1280, "height", 720, "format", "JPEG").captureStill();
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(still.toByteArray()));
        assertEquals(1280, image.getWidth());
        assertEquals(720, image.getHeight());
        still.release();
    }

    @Test
    void settingsDescribeThemselves() {
        List<Setting> settings = camera("pattern", "gradient").settings();
        assertEquals(List.of("pattern", "brightness", "overlay"), settings.stream().map(Setting::name).toList());
        Setting pattern = settings.get(0);
        assertEquals(SettingType.MENU, pattern.type());
        assertEquals("gradient", pattern.value());
        assertEquals(List.of("bars", "gradient", "checkers"), pattern.options());
        Setting brightness = settings.get(1);
        assertEquals(SettingType.INTEGER, brightness.type());
        assertEquals(0L, brightness.value());
        assertEquals(-100, brightness.min().intValue());
        assertEquals(100, brightness.max().intValue());
        assertEquals(1, brightness.step().intValue());
        Setting overlay = settings.get(2);
        assertEquals(SettingType.BOOLEAN, overlay.type());
        assertEquals(true, overlay.value());
        assertFalse(settings.stream().anyMatch(Setting::readOnly));
    }

    @Test
    void settingsAreWrittenAndReadBack() {
        TestPatternCamera camera = camera();
        assertEquals(40L, camera.setSetting("brightness", 40).value());
        assertEquals(-7L, camera.setSetting("brightness", " -7 ").value());
        assertEquals(100L, camera.setSetting("brightness", 100.0).value());
        assertEquals("checkers", camera.setSetting("pattern", "CHECKERS").value());
        assertEquals(false, camera.setSetting("overlay", "false").value());
        assertEquals(true, camera.setSetting("overlay", Boolean.TRUE).value());
        List<Setting> now = camera.settings();
        assertEquals("checkers", now.get(0).value());
        assertEquals(100L, now.get(1).value());
        assertEquals(true, now.get(2).value());
    }

    @Test
    void badSettingValuesAreRefusedNamingWhatIsAllowed() {
        TestPatternCamera camera = camera();
        for (Object bad : new Object[] { 101, -101, 1.5, "bright", null }) {
            CameraException e = assertThrows(CameraException.class, () -> camera.setSetting("brightness", bad));
            assertEquals(Kind.INVALID_ARGUMENT, e.kind());
            assertEquals("brightness", e.field());
            assertTrue(e.getMessage().contains("-100 to 100"), e.getMessage());
        }
        CameraException pattern = assertThrows(CameraException.class, () -> camera.setSetting("pattern", "plaid"));
        assertEquals(Kind.INVALID_ARGUMENT, pattern.kind());
        assertEquals("pattern", pattern.field());
        assertTrue(pattern.getMessage().contains("bars, gradient, checkers"), pattern.getMessage());
        CameraException overlay = assertThrows(CameraException.class, () -> camera.setSetting("overlay", "maybe"));
        assertEquals("overlay", overlay.field());
        assertTrue(overlay.getMessage().contains("true or false"), overlay.getMessage());
        CameraException unknown = assertThrows(CameraException.class, () -> camera.setSetting("zoom", 2));
        assertEquals(Kind.NOT_FOUND, unknown.kind());
        assertTrue(unknown.getMessage().contains("'zoom'") && unknown.getMessage().contains("brightness"),
                unknown.getMessage());
        // nothing changed
        assertEquals(0L, camera.settings().get(1).value());
        assertEquals("bars", camera.settings().get(0).value());
    }

    @Test
    void brightnessSettingShowsInStills() {
        TestPatternCamera camera = camera("width", 320, "height", 240);
        Frame plain = camera.captureStill();
        camera.setSetting("brightness", 60);
        Frame brighter = camera.captureStill();
        double before = meanLuma(plain.toByteArray());
        double after = meanLuma(brighter.toByteArray());
        assertTrue(after > before + 30, "mean luma " + before + " -> " + after);
        plain.release();
        brighter.release();
    }
}
