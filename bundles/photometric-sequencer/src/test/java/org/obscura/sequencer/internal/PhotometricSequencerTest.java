package org.obscura.sequencer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceRequest;
import org.obscura.camera.api.SequenceResult;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class PhotometricSequencerTest {

    private static final Instant NOW = Instant.parse("2026-11-20T10:15:30Z");

    @TempDir
    Path data;
    private Fakes.Lights lights;
    private Fakes.Capture capture;
    private Fakes.Store store;
    private PhotometricSequencer sequencer;
    private final List<SequenceProgress> progress = Collections.synchronizedList(new ArrayList<>());
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws IOException {
        lights = new Fakes.Lights("front", "left", "top");
        capture = new Fakes.Capture(lights);
        store = new Fakes.Store(data);
        sequencer = new PhotometricSequencer(capture, store, 0, "cam", Clock.fixed(NOW, ZoneOffset.UTC),
                ZoneOffset.UTC);
        sequencer.lights = lights;
        sequencer.events = new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                events.add(event);
            }

            @Override
            public void sendEvent(Event event) {
                events.add(event);
            }
        };
    }

    @AfterEach
    void tearDown() {
        sequencer.deactivate();
    }

    private SequenceResult run(SequenceRequest request) throws Exception {
        return sequencer.start(request, progress::add).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private JsonNode manifest(String folder) throws IOException {
        return new ObjectMapper().readTree(data.resolve(folder).resolve("manifest.json").toFile());
    }

    @Test
    void capturesOneImagePerLightWithOnlyThatLightOn() throws Exception {
        SequenceResult result = run(new SequenceRequest(List.of("front", "left", "top"), "scan", List.of(), null));

        assertTrue(result.success(), result.message());
        assertEquals("sets/scan_20261120-101530", result.setFolder());
        assertEquals(List.of("sets/scan_20261120-101530/image_01_front.jpg",
                "sets/scan_20261120-101530/image_02_left.jpg", "sets/scan_20261120-101530/image_03_top.jpg"),
                result.images());
        assertEquals(List.of("cam:front", "cam:left", "cam:top"), capture.takes);
        assertEquals("JPEG cam lit by left", Files.readString(data.resolve(result.images().get(1))));
        assertTrue(lights.on().isEmpty(), "every light off at the end");

        JsonNode manifest = manifest(result.setFolder());
        assertEquals("complete", manifest.get("status").asText());
        assertEquals(3, manifest.get("steps").size());
        assertEquals("left", manifest.get("steps").get(1).get("light").asText());
        JsonNode shot = manifest.get("steps").get(1).get("images").get(0);
        assertEquals("image_02_left.jpg", shot.get("file").asText());
        assertEquals("100", shot.get("metadata").get("settings").get("iso").asText(), "camera settings recorded");
        assertEquals("left", shot.get("metadata").get("light").asText());
        assertNotNull(manifest.get("steps").get(1).get("lightOn"));

        List<String> statuses = progress.stream().map(SequenceProgress::status).toList();
        assertEquals(List.of("started", "capturing", "captured", "capturing", "captured", "capturing", "captured",
                "completed"), statuses);
        assertEquals("left", progress.get(3).currentLight());
        assertEquals(statuses.size(), events.size(), "every progress report is also an event");
        assertEquals(ObscuraEvents.SEQUENCE_PROGRESS, events.get(0).getTopic());
        assertEquals("sets/scan_20261120-101530", events.get(0).getProperty("setFolder"));
    }

    @Test
    void theManifestOnDiskListsEachImageOnceItsStepIsDone() throws Exception {
        capture.block = new CountDownLatch(1);
        capture.blockAtTake = 2;
        CompletionStage<SequenceResult> pending = sequencer.start(new SequenceRequest(List.of("front", "left"), "mid",
                List.of(), null), progress::add);
        assertTrue(capture.blocked.await(30, TimeUnit.SECONDS));

        // Written in the background while the second step is capturing.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode during = manifest("sets/mid_20261120-101530");
        while (during.get("images").size() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            during = manifest("sets/mid_20261120-101530");
        }
        assertEquals("running", during.get("status").asText());
        assertEquals(List.of("sets/mid_20261120-101530/image_01_front.jpg"),
                List.of(during.get("images").get(0).asText()));
        assertEquals(1, during.get("images").size());

        capture.block.countDown();
        SequenceResult result = pending.toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertTrue(result.success(), result.error());
        JsonNode done = manifest(result.setFolder());
        assertEquals("complete", done.get("status").asText());
        assertEquals(2, done.get("images").size());
    }

    @Test
    void aManifestThatCannotBeWrittenBetweenStepsFailsTheSequenceWithLightsOff() throws Exception {
        store.failManifestWrite = 2; // the first is written at start, the second after the first step
        SequenceResult result = run(new SequenceRequest(List.of("front", "left", "top"), null, List.of(), null));

        assertFalse(result.success());
        assertTrue(result.error().contains("No space left on device"), result.error());
        assertTrue(lights.on().isEmpty());
        assertFalse(result.images().isEmpty());
        for (String image : result.images()) {
            assertTrue(Files.exists(data.resolve(image)), image);
        }
        JsonNode manifest = manifest(result.setFolder());
        assertEquals("failed", manifest.get("status").asText());
        assertEquals(result.error(), manifest.get("error").asText());
        assertEquals(result.images().size(), manifest.get("images").size());
    }

    @Test
    void aCameraFailingMidSequenceLeavesAFailedManifestLightsOffAndImagesKept() throws Exception {
        capture.failAtTake = 2;
        SequenceResult result = run(new SequenceRequest(List.of("front", "left", "top"), null, List.of(), null));

        assertFalse(result.success());
        assertEquals("sets/photometric_set_20261120-101530", result.setFolder());
        assertEquals(List.of("sets/photometric_set_20261120-101530/image_01_front.jpg"), result.images());
        assertTrue(result.error().contains("left") && result.error().contains("failed to take a still"),
                result.error());
        assertTrue(Files.exists(data.resolve(result.images().get(0))), "the image captured before is kept");
        assertFalse(Files.exists(data.resolve(result.setFolder()).resolve("image_02_left.jpg")));
        assertTrue(lights.on().isEmpty());
        assertEquals("all off", lights.log.get(lights.log.size() - 1));

        JsonNode manifest = manifest(result.setFolder());
        assertEquals("failed", manifest.get("status").asText());
        assertEquals(result.error(), manifest.get("error").asText());
        assertEquals(1, manifest.get("images").size());

        SequenceProgress last = progress.get(progress.size() - 1);
        assertEquals("failed", last.status());
        assertEquals("left", last.currentLight());
        assertEquals(result.error(), last.errorDetail());
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingHappens() {
        CameraException empty = assertThrows(CameraException.class,
                () -> sequencer.start(new SequenceRequest(List.of(), null, List.of(), null), null));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, empty.kind());
        assertEquals("lights", empty.field());
        assertTrue(empty.getMessage().contains("empty"));

        CameraException unknown = assertThrows(CameraException.class,
                () -> sequencer.start(new SequenceRequest(List.of("front", "back"), null, List.of(), null), null));
        assertEquals("lights", unknown.field());
        assertTrue(unknown.getMessage().contains("unknown light 'back'"), unknown.getMessage());

        CameraException prefix = assertThrows(CameraException.class,
                () -> sequencer.start(new SequenceRequest(List.of("front"), "../etc", List.of(), null), null));
        assertEquals("prefix", prefix.field());

        CameraException settle = assertThrows(CameraException.class, () -> sequencer.start(
                new SequenceRequest(List.of("front"), null, List.of(), Duration.ofMillis(-1)), null));
        assertEquals("settle", settle.field());

        CameraException camera = assertThrows(CameraException.class,
                () -> sequencer.start(new SequenceRequest(List.of("front"), null, List.of("../x"), null), null));
        assertEquals("cameras", camera.field());

        assertTrue(capture.takes.isEmpty());
        assertTrue(lights.log.isEmpty(), "no light was switched");
        assertFalse(Files.exists(data.resolve("sets")), "nothing was written");
    }

    @Test
    void aSetNameThatExistsIsAConflict() throws Exception {
        assertTrue(run(new SequenceRequest(List.of("front"), "scan", List.of(), null)).success());
        CameraException e = assertThrows(CameraException.class,
                () -> sequencer.start(new SequenceRequest(List.of("top"), "scan", List.of(), null), null));
        assertEquals(CameraException.Kind.CONFLICT, e.kind());
        assertTrue(e.getMessage().contains("scan_20261120-101530") && e.getMessage().contains("already exists"),
                e.getMessage());
        assertEquals(1, capture.takes.size());
    }

    @Test
    void withoutLightsASequenceCannotStart() {
        sequencer.lights = null;
        CameraException e = assertThrows(CameraException.class,
                () -> sequencer.start(new SequenceRequest(List.of("front"), null, List.of(), null), null));
        assertEquals(CameraException.Kind.UNAVAILABLE, e.kind());
    }

    @Test
    void onlyOneSequenceRunsAtATimeAndStoppingTheSequencerFailsItWithLightsOff() throws Exception {
        capture.block = new CountDownLatch(1);
        CompletionStage<SequenceResult> first = sequencer.start(
                new SequenceRequest(List.of("front", "left"), "one", List.of(), null), progress::add);
        assertTrue(capture.blocked.await(30, TimeUnit.SECONDS));
        assertEquals(List.of("front"), lights.on(), "the step's light is on while the camera captures");

        CameraException busy = assertThrows(CameraException.class,
                () -> sequencer.start(new SequenceRequest(List.of("top"), "two", List.of(), null), null));
        assertEquals(CameraException.Kind.CONFLICT, busy.kind());

        sequencer.deactivate(); // interrupts the blocked capture, as a bundle stop would
        SequenceResult result = first.toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertFalse(result.success());
        assertTrue(result.error().contains("stopped"), result.error());
        assertTrue(lights.on().isEmpty());
        assertEquals("failed", manifest(result.setFolder()).get("status").asText());
        assertThrows(CameraException.class,
                () -> sequencer.start(new SequenceRequest(List.of("top"), "three", List.of(), null), null));
    }

    @Test
    void cancellingTheResultStopsTheSequence() throws Exception {
        capture.block = new CountDownLatch(1);
        CompletionStage<SequenceResult> stage = sequencer.start(
                new SequenceRequest(List.of("front", "left"), "cancel", List.of(), null), progress::add);
        assertTrue(capture.blocked.await(30, TimeUnit.SECONDS));
        stage.toCompletableFuture().cancel(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"failed".equals(manifest("sets/cancel_20261120-101530").get("status").asText())
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("failed", manifest("sets/cancel_20261120-101530").get("status").asText());
        assertTrue(lights.on().isEmpty());
        assertEquals(1, capture.takes.size(), "no capture after the cancellation");
    }

    @Test
    void severalCamerasPerStepNameTheirImages() throws Exception {
        SequenceResult result = run(new SequenceRequest(List.of("front", "top"), "duo", List.of("left", "right"),
                Duration.ofMillis(5)));
        assertTrue(result.success(), result.message());
        assertEquals(List.of("sets/duo_20261120-101530/image_01_front_left.jpg",
                "sets/duo_20261120-101530/image_01_front_right.jpg", "sets/duo_20261120-101530/image_02_top_left.jpg",
                "sets/duo_20261120-101530/image_02_top_right.jpg"), result.images());
        assertEquals(List.of("left:front", "right:front", "left:top", "right:top"), capture.takes);
        assertEquals(5, manifest(result.setFolder()).get("settleMs").asInt());
    }
}
