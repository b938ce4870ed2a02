package org.obscura.driver.testpattern.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.driver.testpattern.internal.BuiltinCamera.Mode;

class BuiltinCameraTest {

    private static final long SETTLE = 1000;

    /** Records registrations like a service registry would hold them. */
    private static final class Registry implements BuiltinCamera.Publisher {
        final List<CameraDevice> registered = new ArrayList<>();
        final List<Map<String, Object>> properties = new ArrayList<>();
        int registrations;
        int unregistrations;

        @Override
        public synchronized Runnable publish(CameraDevice camera, Map<String, Object> props) {
            registrations++;
            registered.add(camera);
            properties.add(props);
            return () -> {
                synchronized (this) {
                    unregistrations++;
                    int i = registered.indexOf(camera);
                    registered.remove(i);
                    properties.remove(i);
                }
            };
        }

        synchronized CameraDevice only() {
            assertEquals(1, registered.size(), "registered cameras");
            return registered.get(0);
        }

        synchronized boolean empty() {
            return registered.isEmpty();
        }
    }

    private final Registry registry = new Registry();
    private final ManualScheduler scheduler = new ManualScheduler();
    private BuiltinCamera builtin;

    private BuiltinCamera builtin(Mode mode) {
        builtin = new BuiltinCamera(mode, registry, scheduler, BuiltinCamera::defaultCamera, SETTLE);
        return builtin;
    }

    @AfterEach
    void close() {
        if (builtin != null) {
            builtin.close();
        }
    }

    @Test
    void autoAppearsOnceNoOtherCameraHasShownUpForTheSettleTime() {
        BuiltinCamera b = builtin(Mode.AUTO);
        scheduler.advance(SETTLE - 1);
        assertTrue(registry.empty());
        scheduler.advance(1);
        assertTrue(b.published());
        CameraDevice camera = registry.only();
        assertEquals(Map.of("camera.name", "testpattern", "camera.driver", "testpattern", "camera.builtin", true),
                registry.properties.get(0));
        CameraDescriptor d = camera.descriptor();
        assertEquals("testpattern", d.name());
        assertEquals(PixelFormat.YUYV, d.mode().format());
        assertEquals("640x480", d.mode().resolution());
        assertEquals(15.0, d.mode().fps());
        assertEquals("bars", camera.settings().get(0).value());
        assertEquals(true, d.properties().get("builtin"));
    }

    @Test
    void autoNeverAppearsWhenACameraRegistersDuringStartUp() {
        BuiltinCamera b = builtin(Mode.AUTO);
        scheduler.advance(SETTLE / 2);
        b.cameraAdded("ref-1", "left");
        scheduler.advance(SETTLE * 10);
        assertEquals(0, registry.registrations);
    }

    @Test
    void autoWithdrawsAtOnceWhenAnotherCameraAppearsAndComesBackAfterItLeaves() throws Exception {
        BuiltinCamera b = builtin(Mode.AUTO);
        scheduler.advance(SETTLE);
        TestPatternCamera first = (TestPatternCamera) registry.only();
        RecordingSink sink = new RecordingSink(1);
        first.start(sink);
        Thread streamThread = sink.awaitFrames(1, Duration.ofSeconds(30)).get(0).thread();

        b.cameraAdded("ref-1", "usb0");
        scheduler.advance(0);
        assertTrue(registry.empty(), "withdrawn without waiting");
        assertFalse(b.published());
        streamThread.join(30_000);
        assertFalse(streamThread.isAlive(), "the withdrawn camera stopped streaming");
        assertEquals(Kind.UNAVAILABLE, assertThrows(CameraException.class, first::captureStill).kind());

        b.cameraRemoved("ref-1");
        scheduler.advance(SETTLE - 1);
        assertTrue(registry.empty());
        scheduler.advance(1);
        assertNotSame(first, registry.only(), "a fresh camera each time");
        assertEquals(2, registry.registrations);
        assertEquals(1, registry.unregistrations);
    }

    @Test
    void autoDoesNotFlapWhileAnotherDriverIsUpdated() {
        BuiltinCamera b = builtin(Mode.AUTO);
        b.cameraAdded("ref-1", "usb0");
        scheduler.advance(SETTLE * 2);
        // the other driver's bundle is updated: its camera goes and comes back within the settle time
        b.cameraRemoved("ref-1");
        scheduler.advance(SETTLE / 3);
        b.cameraAdded("ref-2", "usb0");
        scheduler.advance(SETTLE * 5);
        assertEquals(0, registry.registrations);
    }

    @Test
    void autoWaitsForTheLastOtherCamera() {
        BuiltinCamera b = builtin(Mode.AUTO);
        b.cameraAdded("ref-1", "left");
        b.cameraAdded("ref-2", "right");
        b.cameraRemoved("ref-1");
        scheduler.advance(SETTLE * 3);
        assertTrue(registry.empty());
        b.cameraRemoved("ref-unknown"); // never seen: no effect
        b.cameraRemoved("ref-2");
        scheduler.advance(SETTLE);
        registry.only();
    }

    @Test
    void onAppearsAtOnceBesideOtherCamerasButYieldsItsName() {
        BuiltinCamera b = builtin(Mode.ON);
        scheduler.advance(0);
        registry.only();
        b.cameraAdded("ref-1", "left");
        scheduler.advance(SETTLE * 2);
        registry.only();
        assertEquals(1, registry.registrations);

        b.cameraAdded("ref-2", "testpattern"); // a configured camera took the name
        scheduler.advance(0);
        assertTrue(registry.empty());
        b.cameraAdded("ref-2", "renamed"); // its properties changed
        scheduler.advance(0);
        registry.only();
    }

    @Test
    void offNeverAppears() {
        BuiltinCamera b = builtin(Mode.OFF);
        scheduler.advance(SETTLE * 10);
        b.cameraAdded("ref-1", "x");
        b.cameraRemoved("ref-1");
        scheduler.advance(SETTLE * 10);
        assertEquals(0, registry.registrations);
    }

    @Test
    void modeChangesTakeEffectLive() {
        BuiltinCamera b = builtin(Mode.OFF);
        scheduler.advance(SETTLE);
        b.mode(Mode.ON);
        scheduler.advance(0);
        registry.only();
        b.mode(Mode.OFF);
        scheduler.advance(0);
        assertTrue(registry.empty());
        b.mode(Mode.AUTO);
        scheduler.advance(SETTLE);
        registry.only();
        b.cameraAdded("ref-1", "left");
        b.mode(Mode.ON);
        scheduler.advance(0);
        registry.only();
        b.mode(Mode.AUTO);
        scheduler.advance(0);
        assertTrue(registry.empty());
    }

    @Test
    void closeWithdrawsAndIgnoresLaterEvents() {
        BuiltinCamera b = builtin(Mode.AUTO);
        scheduler.advance(SETTLE);
        TestPatternCamera camera = (TestPatternCamera) registry.only();
        b.close();
        assertTrue(registry.empty());
        assertEquals(Kind.UNAVAILABLE, assertThrows(CameraException.class, camera::captureStill).kind());
        b.cameraAdded("ref-1", "x");
        b.cameraRemoved("ref-1");
        b.mode(Mode.ON);
        assertEquals(0, scheduler.waiting());
        assertEquals(1, registry.registrations);
    }

    @Test
    void parsesTheModeSetting() {
        assertEquals(Mode.AUTO, Mode.parse(null));
        assertEquals(Mode.AUTO, Mode.parse(" Auto "));
        assertEquals(Mode.ON, Mode.parse("on"));
        assertEquals(Mode.OFF, Mode.parse("OFF"));
        CameraException e = assertThrows(CameraException.class, () -> Mode.parse("sometimes"));
        assertEquals("builtin.camera", e.field());
        assertTrue(e.getMessage().contains("auto, on or off"));
    }

    @Test
    void registersOnItsOwnThreadInProduction() throws Exception {
        List<Thread> threads = new ArrayList<>();
        BuiltinCamera.Publisher publisher = (camera, props) -> {
            synchronized (threads) {
                threads.add(Thread.currentThread());
                threads.notifyAll();
            }
            return registry.publish(camera, props);
        };
        builtin = new BuiltinCamera(Mode.AUTO, publisher, BuiltinCamera.Scheduler.thread("testpattern-builtin"),
                BuiltinCamera::defaultCamera, 10);
        synchronized (threads) {
            long deadline = System.currentTimeMillis() + 30_000;
            while (threads.isEmpty() && System.currentTimeMillis() < deadline) {
                threads.wait(1000);
            }
        }
        assertEquals("testpattern-builtin", threads.get(0).getName());
        builtin.close();
        assertTrue(registry.empty());
        builtin = null;
    }
}
