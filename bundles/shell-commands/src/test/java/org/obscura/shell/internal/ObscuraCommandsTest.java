package org.obscura.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceResult;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;
import org.obscura.camera.api.StoredCapture;

class ObscuraCommandsTest {

    private final Fakes.Registry registry = new Fakes.Registry();
    private final Fakes.Capture capture = new Fakes.Capture();
    private final Fakes.Store store = new Fakes.Store();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private ObscuraCommands commands;

    @BeforeEach
    void setUp() {
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        commands = new ObscuraCommands(registry, capture, store, () -> out, ZoneOffset.UTC);
    }

    private static CameraStatus camera(String name, String driver, CameraState state, Mode mode, int viewers,
            double fps) {
        CameraDescriptor d = new CameraDescriptor(name, null, driver, "/dev/" + name, mode,
                Set.of(Capability.STREAM, Capability.STILL), false, 0, null, Map.of());
        return new CameraStatus(name, d, state, viewers, fps, 0, null, null);
    }

    @Test
    void camerasIsAnAlignedTable() {
        registry.cameras.add(camera("dslr", "gphoto2", CameraState.ONLINE, new Mode(PixelFormat.JPEG, 6000, 4000, 0),
                0, 0));
        registry.cameras.add(camera("left", "testpattern", CameraState.STREAMING,
                new Mode(PixelFormat.JPEG, 1280, 720, 30), 2, 29.94));
        registry.cameras.add(camera("right", "v4l2", CameraState.OFFLINE, new Mode(PixelFormat.YUYV, 640, 360, 5),
                0, 0));

        assertEquals("""
                NAME   DRIVER       STATE      MODE                    VIEWERS   FPS
                dslr   gphoto2      online     MJPG 6000x4000                0     0
                left   testpattern  streaming  MJPG 1280x720 @ 30 fps        2  29.9
                right  v4l2         offline    YUYV 640x360 @ 5 fps          0     0""", commands.cameras());
    }

    @Test
    void camerasSaysSoWhenThereAreNone() {
        assertEquals("no cameras", commands.cameras());
    }

    @Test
    void cameraShowsDetails() {
        CameraDescriptor d = new CameraDescriptor("left", "Left eye", "v4l2", "/dev/video0",
                new Mode(PixelFormat.YUYV, 640, 360, 5), Set.of(Capability.STILL, Capability.STREAM,
                        Capability.SETTINGS), true, 1, null, Map.of("model", "vivid"));
        registry.cameras.add(new CameraStatus("left", d, CameraState.STREAMING, 1, 4.96, 1234,
                Instant.parse("2026-11-20T10:15:30Z"), null));

        assertEquals("""
                name:              left
                label:             Left eye
                driver:            v4l2
                device:            /dev/video0
                mode:              YUYV 640x360 @ 5 fps
                capabilities:      settings, still, stream
                stereo:            yes (order 1)
                interrupt service: -
                state:             streaming
                viewers:           1
                fps:               5
                frames:            1234
                last frame:        2026-11-20 10:15:30
                last error:        -
                model:             vivid""", commands.camera("left"));
    }

    @Test
    void unknownCameraIsOneErrorLine() {
        assertEquals("error: no camera named 'nope'", commands.camera("nope"));
    }

    @Test
    void driversShowAvailabilityAndBundle() {
        registry.drivers.add(new DriverInfo("gphoto2", "DSLRs (gphoto2)", "org.obscura.driver.gphoto2.camera", false,
                "libgphoto2 not found: install libgphoto2-6", "org.obscura.driver.gphoto2", "0.1.0"));
        registry.drivers.add(new DriverInfo("testpattern", "Test pattern", "org.obscura.driver.testpattern.camera",
                true, "ready", null, null));

        assertEquals("""
                ID           NAME             STATE        BUNDLE                            STATUS
                gphoto2      DSLRs (gphoto2)  unavailable  org.obscura.driver.gphoto2 0.1.0  libgphoto2 not found: install libgphoto2-6
                testpattern  Test pattern     available    -                                 ready""",
                commands.drivers());
    }

    @Test
    void devicesPrintsTheModeTreeOfEveryDriverAndKeepsGoingAfterAFailure() {
        registry.drivers.add(new DriverInfo("broken", "Broken", "b", true, "ready", null, null));
        registry.drivers.add(new DriverInfo("gphoto2", "DSLRs", "g", false, "libgphoto2 not found", null, null));
        registry.drivers.add(new DriverInfo("v4l2", "Webcams", "v", true, "ready", null, null));
        registry.discovery.put("broken", id -> {
            throw new CameraException(CameraException.Kind.IO, "probe failed");
        });
        registry.discovery.put("v4l2", id -> List.of(new DeviceInfo("v4l2", "/dev/video0", "vivid",
                Map.of("bus", "platform:vivid-000"), List.of(
                        new DeviceInfo.Format("YUYV", "YUYV 4:2:2", List.of(
                                new DeviceInfo.Size(320, 180, List.of(60.0, 12.5)),
                                new DeviceInfo.Size(640, 360, List.of(30.0)))),
                        new DeviceInfo.Format("MJPG", "MJPG", List.of(new DeviceInfo.Size(1920, 1080, List.of())))))));

        assertEquals("""
                broken: error: probe failed
                gphoto2: unavailable: libgphoto2 not found
                v4l2: /dev/video0 (vivid)
                  bus: platform:vivid-000
                  YUYV (YUYV 4:2:2)
                    320x180: 60, 12.5 fps
                    640x360: 30 fps
                  MJPG
                    1920x1080""", commands.devices());
        assertEquals("error: no driver 'usb'", commands.devices("usb"));
    }

    @Test
    void snapOneCameraPrintsTheFile() {
        capture.results.put("left", Fakes.result("left", "left_20261120-101530-000.jpg", 148_685, 1280, 720, 0));

        assertEquals("""
                CAMERA  SIZE      FILE                                           BYTES
                left    1280x720  captures/left/left_20261120-101530-000.jpg  145.2 KB""", commands.snap("left"));
        assertEquals("error: camera 'right' is offline", commands.snap("right"));
        assertEquals("error: unknown option '--everything': give a camera name, --all or --stereo",
                commands.snap("--everything"));
        assertEquals("error: snap what? give a camera name, --all or --stereo", commands.snap());
    }

    @Test
    void snapStereoPrintsFilesAndSkew() {
        capture.stereo = new BatchResult("stereo", List.of(
                Fakes.result("left", "l.jpg", 1000, 640, 480, 5_000_000),
                Fakes.result("right", "r.jpg", 2048, 640, 480, 6_234_500)), Map.of(), 1_234_500L,
                Instant.EPOCH, Instant.EPOCH);

        assertEquals("""
                CAMERA  SIZE     FILE                   BYTES
                left    640x480  captures/left/l.jpg   1000 B
                right   640x480  captures/right/r.jpg    2 KB
                skew: 1.235 ms""", commands.snap("--stereo"));
    }

    @Test
    void snapAllReportsFailedCamerasAsErrorLines() {
        capture.all = new BatchResult("all", List.of(Fakes.result("left", "l.jpg", 10, 640, 480, 0)),
                Map.of("right", "camera 'right' is offline", "dslr", "timed out"), null, Instant.EPOCH, Instant.EPOCH);

        assertEquals("""
                CAMERA  SIZE     FILE                 BYTES
                left    640x480  captures/left/l.jpg   10 B
                error: dslr: timed out
                error: right: camera 'right' is offline""", commands.snap("--all"));

        capture.all = new BatchResult("all", List.of(), Map.of(), null, Instant.EPOCH, Instant.EPOCH);
        assertEquals("no camera took a picture", commands.snap("--all"));
    }

    @Test
    void snapStereoWithoutStereoCamerasIsAnErrorLine() {
        assertEquals("error: fewer than two stereo cameras are online", commands.snap("--stereo"));
    }

    @Test
    void settingsShowValuesAndWhatIsAllowed() {
        registry.settings.put("left", List.of(
                new Setting("brightness", "Brightness", SettingType.INTEGER, 128L, null, 0, 255, 1, false, "user"),
                new Setting("iso", "ISO", SettingType.MENU, "400", List.of("100", "200", "400"), null, null, null,
                        false, null),
                new Setting("exposure", "Exposure", SettingType.RANGE, 0.5, null, 0.0, 2.0, 0.25, false, null),
                new Setting("serial", "Serial", SettingType.TEXT, "X1", null, null, null, null, true, null)));

        assertEquals("""
                NAME        VALUE  TYPE     ALLOWED
                brightness  128    integer  0..255
                iso         400    menu     100 | 200 | 400
                exposure    0.5    range    0..2 step 0.25
                serial      X1     text     read-only""", commands.settings("left"));
        assertEquals("error: no camera named 'nope'", commands.settings("nope"));
    }

    @Test
    void setWritesAndEchoesTheValueReadBack() {
        registry.settings.put("left", List.of(
                new Setting("brightness", "Brightness", SettingType.INTEGER, 128L, null, 0, 255, 1, false, "user"),
                new Setting("serial", "Serial", SettingType.TEXT, "X1", null, null, null, null, true, null)));

        assertEquals("left brightness = 40", commands.set("left", "brightness", "40"));
        assertEquals(List.of("left/brightness=40"), registry.writes);
        assertEquals("error: setting 'serial' is read-only", commands.set("left", "serial", "X2"));
        assertEquals("error: camera 'left' has no setting 'zoom'", commands.set("left", "zoom", "2"));
        assertEquals("left brightness = 41", commands.setting("left", "brightness", "41"));
        assertEquals(List.of("left/brightness=40", "left/brightness=41"), registry.writes);
    }

    @Test
    void settingShowsOneSetting() {
        registry.settings.put("left", List.of(
                new Setting("iso", "ISO", SettingType.MENU, "400", List.of("100", "400"), null, null, null, false,
                        null)));

        assertEquals("left iso = 400  (menu, 100 | 400)", commands.setting("left", "iso"));
        assertEquals("error: camera 'left' has no setting 'zoom'", commands.setting("left", "zoom"));
        assertEquals("error: no camera named 'right'", commands.setting("right", "iso"));
    }

    @Test
    void lightsNeedALightController() {
        assertEquals("error: no light controller is running (install a lights bundle)", commands.lights());
        assertEquals("error: no light controller is running (install a lights bundle)", commands.light("a", "on"));
    }

    @Test
    void lightsListAndSwitch() {
        Fakes.Lights lights = new Fakes.Lights();
        lights.states.put("front", false);
        lights.states.put("left-top", true);
        commands.lights = lights;

        assertEquals("""
                NAME      STATE
                front     off
                left-top  on
                (no light hardware: states are virtual)""", commands.lights());
        assertEquals("front on", commands.light("front", "ON"));
        assertTrue(lights.states.get("front"));
        assertEquals("left-top off", commands.light("left-top", "off"));
        assertFalse(lights.states.get("left-top"));
        assertEquals("error: light state must be on or off, not 'dim'", commands.light("front", "dim"));
        assertEquals("error: no light named 'back'", commands.light("back", "on"));
    }

    @Test
    void sequencePrintsProgressFromTheCommandThreadAndWaitsForTheResult() throws Exception {
        Fakes.Sequencer sequencer = new Fakes.Sequencer();
        String set = "sets/scan_20261120-101530";
        sequencer.script.add(new SequenceProgress("started", 0, 2, null, set, null));
        sequencer.script.add(new SequenceProgress("capturing", 1, 2, "front", set, null));
        sequencer.script.add(new SequenceProgress("captured", 1, 2, "front", set, null));
        sequencer.script.add(new SequenceProgress("capturing", 2, 2, "left", set, null));
        sequencer.script.add(new SequenceProgress("captured", 2, 2, "left", set, null));
        sequencer.script.add(new SequenceProgress("completed", 2, 2, null, set, null));
        sequencer.result = new SequenceResult(true, "2 images in " + set, set,
                List.of(set + "/image_01_front.jpg", set + "/image_02_left.jpg"), null);
        commands.sequencer = sequencer;

        String result = commands.sequence(" front, left ", "scan");

        assertEquals(List.of("front", "left"), sequencer.request.lights());
        assertEquals("scan", sequencer.request.prefix());
        sequencer.thread.join(30_000);
        assertEquals("""
                started sets/scan_20261120-101530, 2 steps
                [1/2] front capturing
                [1/2] front captured
                [2/2] left capturing
                [2/2] left captured
                [2/2] completed
                """, console.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
        assertEquals("""
                done: 2 images in sets/scan_20261120-101530
                  sets/scan_20261120-101530/image_01_front.jpg
                  sets/scan_20261120-101530/image_02_left.jpg""", result);
    }

    @Test
    void aFailedSequenceEndsWithAnErrorLineAndTheImagesKept() {
        Fakes.Sequencer sequencer = new Fakes.Sequencer();
        String set = "sets/s_20261120-101530";
        sequencer.script.add(new SequenceProgress("failed", 2, 3, "left", set, "camera 'left' is offline"));
        sequencer.result = new SequenceResult(false, "failed at step 2", set, List.of(set + "/image_01_front.jpg"),
                "camera 'left' is offline");
        commands.sequencer = sequencer;

        String result = commands.sequence("front,left,right");

        assertEquals("[2/3] failed: camera 'left' is offline\n",
                console.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
        assertEquals("""
                error: camera 'left' is offline
                kept 1 images in sets/s_20261120-101530:
                  sets/s_20261120-101530/image_01_front.jpg""", result);
    }

    @Test
    void sequenceErrorsAreOneLine() {
        assertEquals("error: no sequence service is running (install the photometric sequencer)",
                commands.sequence("front"));
        commands.sequencer = new Fakes.Sequencer();
        assertEquals("error: name at least one light, e.g. sequence front,left,right", commands.sequence(" , "));
        assertEquals("error: unknown light 'Front2'", commands.sequence("Front2"));
    }

    @Test
    void capturesTakesAnOptionalCameraAndLimit() {
        Instant t = Instant.parse("2026-11-20T10:15:30Z");
        store.captures.add(new StoredCapture("left", "left_2.jpg", "captures/left/left_2.jpg", "/u", null, 2_200_000,
                t));
        store.captures.add(new StoredCapture("right", "right_1.jpg", "captures/right/right_1.jpg", "/u", null, 512,
                t.minusSeconds(60)));

        assertEquals("""
                TIME                 CAMERA  FILE                          SIZE
                2026-11-20 10:15:30  left    captures/left/left_2.jpg    2.1 MB
                2026-11-20 10:14:30  right   captures/right/right_1.jpg   512 B
                2 of 2 captures""", commands.captures());
        assertEquals("""
                TIME                 CAMERA  FILE                        SIZE
                2026-11-20 10:15:30  left    captures/left/left_2.jpg  2.1 MB
                1 of 2 captures""", commands.captures("1"));
        assertEquals("no captures of 'dslr'", commands.captures("dslr", "5"));
        assertEquals(List.of("null/0/20", "null/0/1", "dslr/0/5"), store.queries);

        assertEquals("error: limit must be a number from 1 to 1000, not '0'", commands.captures("left", "0"));
        assertEquals("error: limit must be a number from 1 to 1000, not 'ten'", commands.captures("left", "ten"));
        assertEquals("error: too many arguments: captures [camera] [limit]", commands.captures("a", "1", "2"));
    }

    @Test
    void setsListsImageSets() {
        assertEquals("error: no image sets service is running (install the photometric sequencer)", commands.sets());
        Fakes.Sets sets = new Fakes.Sets();
        commands.imageSets = sets;
        assertEquals("no image sets", commands.sets());
        sets.sets.add(new ImageSet("scan_20261120-101530", "sets/scan_20261120-101530",
                Instant.parse("2026-11-20T10:15:30Z"), 12, "complete"));
        sets.sets.add(new ImageSet("old", "sets/old", Instant.parse("2026-11-19T08:00:00Z"), 3, null));

        assertEquals("""
                NAME                  IMAGES  STATUS    CREATED
                scan_20261120-101530      12  complete  2026-11-20 10:15:30
                old                        3  -         2026-11-19 08:00:00""", commands.sets());
    }
}
