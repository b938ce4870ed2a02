package org.obscura.driver.v4l2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.core.internal.CoreCameraRegistry;
import org.obscura.camera.core.internal.EventPublisher;
import org.obscura.camera.core.internal.hub.HubSettings;
import org.obscura.camera.core.internal.jpeg.BgrImage;
import org.obscura.camera.core.internal.jpeg.JpegCodec;
import org.obscura.camera.core.internal.jpeg.JpegCodecs;

/**
 * The driver under camera-core's real camera registry and frame hub (built by hand, as the core's own tests
 * do), against vivid in the QEMU guest: what a viewer sees when the webcam is unplugged and plugged back. The
 * viewer's one subscription stays open throughout; the camera goes OFFLINE with an event naming why, the
 * viewer gets "no signal" pictures meanwhile, and once the device is back the hub's own restart with backoff
 * brings real frames through the same subscription. Nothing in the test reopens the device.
 *
 * <p>Runs only inside the guest ({@link VividRigTest}); after {@link V4l2VividIT}, as it unplugs the device.
 */
@EnabledIfEnvironmentVariable(named = "OBSCURA_VIVID_GUEST", matches = "1")
class V4l2HubVividIT {

    private static final long WAIT_S = 30;
    private static final String CAMERA = "hubcam";
    /** Short linger, placeholder interval and backoff, so that the test takes seconds. */
    private static final HubSettings SETTINGS = new HubSettings(Duration.ofMillis(200), 80, true,
            Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofSeconds(2));

    /** Events as the registry posts them, in order. */
    private static final class Events implements EventPublisher {
        record Posted(String topic, Map<String, ?> properties) {
        }

        private final List<Posted> posted = new ArrayList<>();

        @Override
        public synchronized void post(String topic, Map<String, ?> properties) {
            posted.add(new Posted(topic, Map.copyOf(properties)));
        }

        synchronized List<Posted> after(int from) {
            return List.copyOf(posted.subList(Math.min(from, posted.size()), posted.size()));
        }

        synchronized int count() {
            return posted.size();
        }
    }

    @Test
    void aViewerKeepsItsSubscriptionThroughUnplugAndReplugAndFramesResumeThroughTheHub() throws Exception {
        V4l2Driver driver = new V4l2Driver();
        assertTrue(driver.available(), "driver available: " + driver.status());
        DeviceInfo vivid = driver.discover().stream().filter(d -> "vivid".equals(d.properties().get("kernelDriver")))
                .findFirst().orElseThrow(() -> new AssertionError("no vivid device in " + driver.discover()));
        VividPlug plug = new VividPlug((String) vivid.properties().get("node"), vivid.device(), WAIT_S);
        assertEquals(DeviceHandles.NONE, DeviceHandles.now(), "nothing open before the test");

        Events events = new Events();
        JpegCodec codec = JpegCodecs.open();
        System.out.println("hub JPEG codec: " + codec.name());
        CoreCameraRegistry registry = new CoreCameraRegistry(SETTINGS, codec, events);
        V4l2CameraDevice camera = new V4l2CameraDevice(LibCAccess.require(), Path.of("/dev"),
                new V4l2CameraDevice.CameraSpec(CAMERA, null, vivid.device(), "YUYV", 640, 480, 0, false, 0, null));
        boolean bound = true;
        try {
            registry.addDevice(camera, Map.of(CameraConfig.CAMERA_NAME, CAMERA));
            FrameSubscription viewer = registry.subscribe(CAMERA, null);
            long index = awaitCameraFrame(viewer, codec, 0);
            await("streaming", () -> state(registry) == CameraState.STREAMING);

            // 1. vivid's Disconnect control: every ioctl on the open node fails with ENODEV and opening it fails
            // too, as with a pulled webcam. vivid reconnects when the last descriptor on it closes, so a
            // descriptor of the test's own keeps it away until the test lets go.
            int mark = events.count();
            V4l2Node holder = V4l2Node.open(LibCAccess.require(), vivid.device());
            try {
                camera.setSetting("disconnect", null);
                Map<String, ?> offline = awaitEvent(events, mark, ObscuraEvents.CAMERA_OFFLINE);
                String reason = String.valueOf(offline.get(ObscuraEvents.REASON));
                assertTrue(reason.contains(vivid.device()), "offline reason: " + reason);
                assertEquals(CAMERA, offline.get(ObscuraEvents.CAMERA));
                awaitRefusedRestart(registry, "cannot open");
                for (int i = 0; i < 2; i++) {
                    index = awaitPlaceholder(viewer, codec, index);
                }
                assertEquals(CameraState.OFFLINE, viewer.state());
                assertNoOnline(events, mark);
            } finally {
                holder.close();
            }
            index = awaitCameraFrame(viewer, codec, index);
            awaitEvent(events, mark, ObscuraEvents.CAMERA_ONLINE);
            System.out.println("Disconnect control: frames resumed through the same subscription");

            // 2. A real removal: the node disappears until the device is bound again.
            mark = events.count();
            plug.unplug();
            bound = false;
            Map<String, ?> offline = awaitEvent(events, mark, ObscuraEvents.CAMERA_OFFLINE);
            String reason = String.valueOf(offline.get(ObscuraEvents.REASON));
            assertTrue(reason.contains(vivid.device()), "offline reason: " + reason);
            awaitRefusedRestart(registry, "does not exist");
            for (int i = 0; i < 2; i++) {
                index = awaitPlaceholder(viewer, codec, index);
            }
            assertEquals(CameraState.OFFLINE, viewer.state());
            assertNoOnline(events, mark);

            plug.plug();
            bound = true;
            index = awaitCameraFrame(viewer, codec, index);
            awaitEvent(events, mark, ObscuraEvents.CAMERA_ONLINE);
            await("streaming again", () -> state(registry) == CameraState.STREAMING);
            System.out.println("unbind/bind: frames resumed through the same subscription; events "
                    + events.after(0).stream().map(e -> e.topic().substring(e.topic().lastIndexOf('/') + 1)).toList());
            viewer.close();
        } finally {
            registry.deactivate();
            codec.close();
            if (!bound) {
                plug.plug();
            }
        }
        // The hub stops the device on its worker pool: wait for the descriptor and the mappings to go.
        await("the device closed after the registry stopped", () -> {
            try {
                return DeviceHandles.now().equals(DeviceHandles.NONE);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** The hub keeps trying while the device is away: wait until a restart was refused, saying why. */
    private static void awaitRefusedRestart(CoreCameraRegistry registry, String why) {
        await("a restart refused (" + why + ") while the device is away", () -> {
            String error = registry.camera(CAMERA).map(CameraStatus::lastError).orElse(null);
            return error != null && error.contains(why);
        });
    }

    private static void assertNoOnline(Events events, int from) {
        assertTrue(events.after(from).stream().noneMatch(e -> e.topic().equals(ObscuraEvents.CAMERA_ONLINE)),
                "no ONLINE while the device is away: " + events.after(from));
    }

    private static CameraState state(CoreCameraRegistry registry) {
        return registry.camera(CAMERA).map(CameraStatus::state).orElse(CameraState.OFFLINE);
    }

    /** The next camera picture after {@code after} (skipping placeholders): 640x480 YUYV whose JPEG decodes. */
    private static long awaitCameraFrame(FrameSubscription viewer, JpegCodec codec, long after) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (System.nanoTime() < deadline) {
            try (LiveFrame frame = viewer.next(WAIT_S, TimeUnit.SECONDS)) {
                assertNotNull(frame, "the subscription stays open and delivers");
                assertTrue(frame.index() > after, "frame indices keep increasing: " + frame.index() + " after " + after);
                if (frame.placeholder()) {
                    continue;
                }
                assertEquals(PixelFormat.YUYV, frame.frame().format());
                assertEquals(640, frame.frame().width());
                assertDecodes(codec, frame);
                return frame.index();
            }
        }
        return fail("no camera frame within " + WAIT_S + " s");
    }

    /** The next "no signal" picture: at the camera's last frame size, a JPEG that decodes. */
    private static long awaitPlaceholder(FrameSubscription viewer, JpegCodec codec, long after) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (System.nanoTime() < deadline) {
            try (LiveFrame frame = viewer.next(WAIT_S, TimeUnit.SECONDS)) {
                assertNotNull(frame, "the subscription stays open and delivers");
                assertTrue(frame.index() > after, "frame indices keep increasing: " + frame.index() + " after " + after);
                after = frame.index();
                if (!frame.placeholder()) {
                    continue; // a frame the device delivered before the failure reached the hub
                }
                assertDecodes(codec, frame);
                return frame.index();
            }
        }
        return fail("no placeholder within " + WAIT_S + " s");
    }

    private static void assertDecodes(JpegCodec codec, LiveFrame frame) {
        BgrImage image = codec.decode(frame.jpeg(), 0, 0);
        assertEquals(640 + "x" + 480, image.width() + "x" + image.height(),
                (frame.placeholder() ? "placeholder" : "frame") + " " + frame.index());
    }

    private static Map<String, ?> awaitEvent(Events events, int from, String topic) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (System.nanoTime() < deadline) {
            for (Events.Posted p : events.after(from)) {
                if (p.topic().equals(topic)) {
                    return p.properties();
                }
            }
            sleep();
        }
        return fail("no " + topic + " event within " + WAIT_S + " s; got " + events.after(from));
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
