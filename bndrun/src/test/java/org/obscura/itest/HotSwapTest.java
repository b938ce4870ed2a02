package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obscura.itest.ObscuraServer.await;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.itest.MjpegReader.Part;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleRevision;

/**
 * The promise of the frame hub: a viewer's MJPEG connection survives its driver bundle being stopped,
 * started and updated. While the driver is gone the viewer gets "no signal" pictures on the same
 * connection; when it is back, camera frames resume on that connection, with frame indexes that keep
 * increasing.
 */
@ExtendWith(ObscuraServer.Extension.class)
class HotSwapTest {

    private static final String CAMERA = ObscuraServer.BUILTIN;
    /** Real frames to see before calling a stream healthy (the camera runs at 15 fps). */
    private static final int FRAMES = 5;

    private ObscuraServer server;
    private CameraEventRecorder events;
    private Bundle driver;

    @BeforeEach
    void setUp(ObscuraServer server) throws Exception {
        this.server = server;
        server.resetCameras();
        driver = Arrays.stream(server.context().getBundles())
                .filter(b -> ObscuraServer.TESTPATTERN_BSN.equals(b.getSymbolicName())).findFirst().orElseThrow();
        assertEquals(Bundle.ACTIVE, driver.getState());
        events = new CameraEventRecorder(server.context());
    }

    @AfterEach
    void tearDown() throws Exception {
        events.close();
        if (driver.getState() != Bundle.ACTIVE) {
            driver.start();
        }
        server.resetCameras();
    }

    @Test
    void viewerStaysConnectedWhileTheDriverIsStoppedStartedAndUpdated() throws Exception {
        try (MjpegReader stream = MjpegReader.open(server.http(), server.uri("/api/v1/cameras/" + CAMERA + "/stream"))) {
            awaitFrames(stream, 0, "the stream to deliver camera frames");
            assertEquals(CameraState.STREAMING, server.state(CAMERA));
            assertTrue(stream.since(0, Part::placeholder).isEmpty(),
                    () -> "a placeholder while the camera was online: " + stream.describe());

            // (a) Stop the driver: the camera goes offline, the viewer keeps its connection and sees placeholders.
            int events0 = events.mark();
            int parts0 = stream.mark();
            driver.stop();
            awaitEvent(ObscuraEvents.CAMERA_OFFLINE, events0);
            await("camera '" + CAMERA + "' to be offline in the registry (it has a viewer, so it stays listed)",
                    () -> server.state(CAMERA) == CameraState.OFFLINE, () -> String.valueOf(server.camera(CAMERA)));
            await("two 'no signal' pictures on the open stream",
                    () -> stream.since(parts0, Part::placeholder).size() >= 2 || stream.ended(), stream::describe);
            assertOpen(stream);
            assertTrue(server.registry().driver(ObscuraServer.BUILTIN).isEmpty(), "the stopped driver is still listed");
            ObscuraServer.Response shown = server.get("/api/v1/cameras/" + CAMERA);
            assertEquals(200, shown.status(), shown::toString);
            assertEquals("offline", server.json(shown).path("state").asText(), shown::toString);
            assertEquals(1, server.json(shown).path("viewers").asInt(), shown::toString);
            server.problem(server.post("/api/v1/cameras/" + CAMERA + "/snapshot", ""), 503, null);

            // (b) Start it again: the built-in camera comes back and frames resume on the same connection.
            int events1 = events.mark();
            int parts1 = stream.mark();
            driver.start();
            awaitEvent(ObscuraEvents.CAMERA_ONLINE, events1);
            awaitFrames(stream, parts1, "camera frames after the driver was started again");
            await("camera '" + CAMERA + "' to stream again", () -> server.state(CAMERA) == CameraState.STREAMING,
                    () -> String.valueOf(server.camera(CAMERA)));
            assertOpen(stream);

            // (c) Update the driver from its jar: offline, then back, frames resume on the same connection.
            BundleRevision before = driver.adapt(BundleRevision.class);
            int events2 = events.mark();
            int parts2 = stream.mark();
            try (InputStream jar = Files.newInputStream(driverJar())) {
                driver.update(jar);
            }
            assertNotEquals(before, driver.adapt(BundleRevision.class), "the update made no new revision");
            assertEquals(Bundle.ACTIVE, driver.getState());
            int offline = awaitEvent(ObscuraEvents.CAMERA_OFFLINE, events2);
            awaitEvent(ObscuraEvents.CAMERA_ONLINE, offline + 1);
            awaitFrames(stream, parts2, "camera frames after the driver was updated");
            assertFalse(stream.since(parts2, Part::placeholder).isEmpty(),
                    () -> "no 'no signal' picture while the driver was being updated: " + stream.describe());
            assertOpen(stream);

            assertIndexesIncrease(stream.parts());
        }
    }

    /**
     * A camera made through the API: a changed configuration makes the driver re-register it (the component is
     * re-made), and an update of the driver re-makes it from its configuration. The viewer rides through both
     * on its connection, and gets frames of the new size.
     */
    @Test
    void viewerOfAConfiguredCameraStaysConnectedThroughReconfigurationAndDriverUpdate() throws Exception {
        ObscuraServer.Response created = server.post("/api/v1/cameras",
                Map.of("driver", "testpattern", "name", "bench", "width", 320, "height", 240, "format", "JPEG"));
        assertEquals(201, created.status(), created::toString);
        await("camera 'bench' to be registered", () -> server.camera("bench").isPresent());
        try (MjpegReader stream = MjpegReader.open(server.http(), server.uri("/api/v1/cameras/bench/stream"))) {
            await("frames of camera 'bench'", () -> stream.since(0, p -> !p.placeholder()).size() >= FRAMES
                    || stream.ended(), stream::describe);
            assertTrue(stream.since(0, p -> p.width() != 320 || p.height() != 240).isEmpty(), stream::describe);

            int events0 = events.mark();
            int parts0 = stream.mark();
            ObscuraServer.Response changed = server.put("/api/v1/cameras/bench",
                    Map.of("width", 640, "height", 360, "format", "JPEG"));
            assertEquals(200, changed.status(), changed::toString);
            await("frames of camera 'bench' at 640x360 on the same connection",
                    () -> stream.since(parts0, p -> !p.placeholder() && p.width() == 640 && p.height() == 360)
                            .size() >= FRAMES || stream.ended(), stream::describe);
            assertOpen(stream);
            awaitOfflineThenOnline("bench", events0);

            int events1 = events.mark();
            int parts1 = stream.mark();
            try (InputStream jar = Files.newInputStream(driverJar())) {
                driver.update(jar);
            }
            awaitOfflineThenOnline("bench", events1);
            await("frames of camera 'bench' at 640x360 after the driver update",
                    () -> stream.since(parts1, p -> !p.placeholder() && p.width() == 640 && p.height() == 360)
                            .size() >= FRAMES || stream.ended(), stream::describe);
            assertOpen(stream);
            assertEquals(1, server.testPatternConfigurations().size(), "the update lost or duplicated the configuration");
            assertIndexesIncrease(stream.parts());
        }
    }

    /** Waits for the camera to go offline and come back, after event position {@code from}. */
    private void awaitOfflineThenOnline(String camera, int from) {
        await("camera '" + camera + "' to go offline and come back", () -> {
            int offline = events.indexOf(ObscuraEvents.CAMERA_OFFLINE, camera, from);
            return offline >= 0 && events.indexOf(ObscuraEvents.CAMERA_ONLINE, camera, offline) >= 0;
        }, () -> events.all().toString());
    }

    /** Waits for {@link #FRAMES} camera frames (not placeholders) at or after position {@code from}. */
    private static void awaitFrames(MjpegReader stream, int from, String what) {
        await(what, () -> stream.since(from, p -> !p.placeholder()).size() >= FRAMES || stream.ended(),
                stream::describe);
        assertOpen(stream);
        for (Part p : stream.since(from, p -> !p.placeholder())) {
            assertEquals(640, p.width(), () -> "frame " + p);
            assertEquals(480, p.height(), () -> "frame " + p);
        }
    }

    /** Waits for an event of camera {@link #CAMERA} at or after position {@code from}; returns its position. */
    private int awaitEvent(String topic, int from) {
        await(topic + " of camera '" + CAMERA + "'", () -> events.indexOf(topic, CAMERA, from) >= 0,
                () -> events.all().toString());
        return events.indexOf(topic, CAMERA, from);
    }

    private static void assertOpen(MjpegReader stream) {
        assertFalse(stream.ended(), () -> "the MJPEG connection ended: " + stream.describe());
    }

    /** The hub numbers its frames across its whole life: indexes only grow on one connection. */
    private static void assertIndexesIncrease(List<Part> parts) {
        for (int i = 1; i < parts.size(); i++) {
            Part previous = parts.get(i - 1);
            Part part = parts.get(i);
            assertTrue(part.index() > previous.index(), () -> "frame index went from " + previous + " to " + part);
        }
    }

    /**
     * The driver's jar: named by the run ({@code -runproperties}, bnd's {@code repo} macro), else the bundle's
     * install location when that is a file.
     */
    private Path driverJar() {
        String named = server.context().getProperty("obscura.itest.testpattern.jar");
        if (named != null && !named.isBlank() && Files.isRegularFile(Path.of(named))) {
            return Path.of(named);
        }
        String location = driver.getLocation();
        Path path = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
        assertTrue(Files.isRegularFile(path), () -> "no jar of the driver: property '" + named + "', location '"
                + location + "'");
        return path;
    }
}
