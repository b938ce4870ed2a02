package org.obscura.ws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionDispatcherTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ENVELOPE = Set.of("action", "success", "data", "error", "request_id");

    @TempDir
    Path dataDir;

    private Fakes.Registry registry;
    private Fakes.Capture capture;
    private Fakes.Store store;
    private Services services;
    private ActionDispatcher dispatcher;
    private ScheduledExecutorService scheduler;
    private Fakes.Transport transport;
    private ClientSession session;
    private AccessPolicy policy = AccessPolicy.OPEN;

    @BeforeEach
    void setUp() {
        registry = new Fakes.Registry();
        capture = new Fakes.Capture();
        store = new Fakes.Store(dataDir);
        services = new Services(registry, capture, store);
        dispatcher = new ActionDispatcher(services, (a, s) -> policy.refusal(a, s), 65536);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        transport = new Fakes.Transport();
        session = new ClientSession(new Outbox(transport), Runnable::run, scheduler, 0, 8, "test", null);
    }

    @AfterEach
    void tearDown() {
        session.close();
        scheduler.shutdownNow();
    }

    /** Sends a raw text message and returns the one response it produced. */
    private JsonNode raw(String text) throws Exception {
        transport.messages.clear();
        dispatcher.handle(session, text);
        String out = transport.messages.poll(5, TimeUnit.SECONDS);
        assertNotNull(out, "a response to " + text);
        JsonNode n = JSON.readTree(out);
        List<String> keys = new ArrayList<>();
        n.fieldNames().forEachRemaining(keys::add);
        assertEquals(ENVELOPE, Set.copyOf(keys), "envelope keys of " + out);
        return n;
    }

    private JsonNode call(String action, String payload) throws Exception {
        JsonNode r = raw("{\"action\":\"" + action + "\",\"payload\":" + payload + ",\"request_id\":\"r-" + action
                + "\"}");
        assertEquals(action, r.get("action").asText());
        assertEquals("r-" + action, r.get("request_id").asText());
        return r;
    }

    private static void ok(JsonNode r) {
        assertTrue(r.get("success").asBoolean(), () -> "expected success: " + r);
        assertTrue(r.get("error").isNull(), () -> "no error on success: " + r);
    }

    private static String failed(JsonNode r) {
        assertFalse(r.get("success").asBoolean(), () -> "expected failure: " + r);
        assertTrue(r.get("error").isTextual(), () -> "an error message: " + r);
        return r.get("error").asText();
    }

    // ---- envelope and bad messages

    @Test
    void getCamerasListsEveryCameraWithModelPortAndName() throws Exception {
        JsonNode r = call("GET_CAMERAS", "{}");
        ok(r);
        JsonNode cams = r.get("data");
        assertEquals(2, cams.size());
        assertEquals("bench", cams.get(0).get("name").asText());
        assertEquals("testpattern", cams.get(0).get("driver").asText());
        assertEquals("bench", cams.get(0).get("model").asText(), "label stands in for the model");
        assertEquals("online", cams.get(0).get("state").asText());
        assertEquals("Canon EOS Rebel T6", cams.get(1).get("model").asText());
        assertEquals("usb:001,006", cams.get(1).get("port").asText());
        assertEquals("gphoto2", cams.get(1).get("driver").asText());
    }

    @Test
    void badMessagesAreAnsweredAndTheSessionGoesOn() throws Exception {
        assertTrue(failed(raw("{not json")).startsWith("Invalid JSON"));
        assertTrue(failed(raw("[1,2]")).contains("JSON object"));
        assertTrue(failed(raw("{\"payload\":{},\"request_id\":\"x\"}")).contains("'action' is required"));
        JsonNode r = raw("{\"action\":7,\"request_id\":\"x\"}");
        assertTrue(failed(r).contains("'action' must be a string"));
        assertEquals("x", r.get("request_id").asText(), "request_id echoed even on errors");
        r = raw("{\"action\":\"FLY\",\"request_id\":\"y\"}");
        assertTrue(failed(r).contains("Unknown action 'FLY'"));
        assertTrue(r.get("error").asText().contains("GET_CAMERAS"), "lists the known actions");
        assertTrue(failed(raw("{\"action\":\"GET_CAMERAS\",\"payload\":[1]}")).contains("'payload' must be a JSON object"));
        assertTrue(failed(raw("{\"action\":\"GET_CAMERAS\",\"request_id\":{\"a\":1}}")).contains("'request_id'"));
        String huge = "{\"action\":\"GET_CAMERAS\",\"payload\":{\"x\":\"" + "a".repeat(70_000) + "\"}}";
        assertTrue(failed(raw(huge)).startsWith("Message too large"));
        String deep = "[".repeat(500) + "]".repeat(500);
        assertTrue(failed(raw(deep)).startsWith("Invalid JSON"));
        // still alive
        ok(call("GET_CAMERAS", "null"));
        ok(raw("{\"action\":\"GET_CAMERAS\"}"));
    }

    @Test
    void numericRequestIdsAreEchoedAsGiven() throws Exception {
        JsonNode r = raw("{\"action\":\"GET_CAMERAS\",\"request_id\":42}");
        assertEquals(42, r.get("request_id").asInt());
    }

    // ---- selection and settings

    @Test
    void selectByModelAndPortByNameOrFirst() throws Exception {
        JsonNode r = call("SELECT_CAMERA", "{\"model\":\"Canon EOS Rebel T6\",\"port\":\"usb:001,006\"}");
        ok(r);
        assertEquals("dslr", r.get("data").get("name").asText());
        assertEquals("usb:001,006", r.get("data").get("port").asText());
        assertEquals("dslr", session.selected());

        ok(call("SELECT_CAMERA", "{\"name\":\"bench\"}"));
        assertEquals("bench", session.selected());

        ok(call("SELECT_CAMERA", "{}"));
        assertEquals("bench", session.selected(), "first camera");

        String error = failed(call("SELECT_CAMERA", "{\"model\":\"Nikon D3200\"}"));
        assertTrue(error.contains("model 'Nikon D3200'"), error);
        assertEquals("bench", session.selected(), "a failed selection keeps the previous one");
        assertTrue(failed(call("SELECT_CAMERA", "{\"port\":5}")).contains("'port' must be a string"));

        assertEquals("Camera deselected successfully.", transportLast("DESELECT_CAMERA"));
        assertNull(session.selected());
        assertEquals("No camera was selected.", transportLast("DESELECT_CAMERA"));
    }

    private String transportLast(String action) throws Exception {
        return call(action, "{}").get("data").get("message").asText();
    }

    @Test
    void selectionIsPerSocket() throws Exception {
        ok(call("SELECT_CAMERA", "{\"name\":\"dslr\"}"));
        ClientSession other = new ClientSession(new Outbox(new Fakes.Transport()), Runnable::run, scheduler, 0, 8,
                "other", null);
        assertNull(other.selected());
    }

    @Test
    void getConfigNeedsASelectionAndReturnsAllOrOne() throws Exception {
        assertTrue(failed(call("GET_CONFIG", "{}")).contains("No camera selected"));
        ok(call("SELECT_CAMERA", "{\"name\":\"dslr\"}"));
        JsonNode all = call("GET_CONFIG", "{}");
        ok(all);
        assertEquals(2, all.get("data").size());
        JsonNode iso = all.get("data").get(0);
        assertEquals("iso", iso.get("name").asText());
        assertEquals("ISO Speed", iso.get("label").asText());
        assertEquals("100", iso.get("value").asText());
        assertEquals("menu", iso.get("type").asText());
        assertFalse(iso.get("readonly").asBoolean());
        assertEquals(3, iso.get("options").size());

        JsonNode one = call("GET_CONFIG", "{\"config_name\":\"shutterspeed\"}");
        ok(one);
        assertEquals("1/125", one.get("data").get("value").asText());
        assertEquals("Config 'nonexistent_config' not found.",
                failed(call("GET_CONFIG", "{\"config_name\":\"nonexistent_config\"}")));
    }

    @Test
    void setConfigValidatesAndReturnsTheUpdatedEntry() throws Exception {
        ok(call("SELECT_CAMERA", "{\"name\":\"dslr\"}"));
        assertTrue(failed(call("SET_CONFIG", "{\"value\":\"200\"}")).contains("'config_name' is required"));
        assertTrue(failed(call("SET_CONFIG", "{\"config_name\":\"iso\"}")).contains("'value' is required"));
        assertTrue(failed(call("SET_CONFIG", "{\"config_name\":\"iso\",\"value\":{}}")).contains("'value' must be"));
        String error = failed(call("SET_CONFIG", "{\"config_name\":\"iso\",\"value\":\"invalid_value\"}"));
        assertTrue(error.startsWith("Failed to set config 'iso'."), error);
        assertTrue(error.contains("100, 200, 400"), "names the allowed values: " + error);

        JsonNode r = call("SET_CONFIG", "{\"config_name\":\"iso\",\"value\":\"200\"}");
        ok(r);
        assertEquals("iso", r.get("data").get("name").asText());
        assertEquals("200", r.get("data").get("value").asText());
        ok(call("SET_CONFIG", "{\"config_name\":\"iso\",\"value\":400}"));
        assertEquals("400", registry.settings("dslr").get(0).value());
    }

    // ---- capture

    @Test
    void captureDownloadsByDefaultOrLeavesTheImageOnTheCamera() throws Exception {
        assertTrue(failed(call("CAPTURE_IMAGE", "{}")).contains("No camera selected"));
        ok(call("SELECT_CAMERA", "{\"name\":\"dslr\"}"));
        JsonNode r = call("CAPTURE_IMAGE", "{}");
        ok(r);
        assertEquals("Image captured and downloaded.", r.get("data").get("message").asText());
        assertEquals("captures/dslr/dslr_20261120-101530-123.jpg", r.get("data").get("file_path").asText());

        r = call("CAPTURE_IMAGE", "{\"download\":false}");
        ok(r);
        assertEquals("/store_00010001/DCIM/100CANON/IMG_0001.JPG", r.get("data").get("file_path").asText());
        assertEquals(List.of("dslr", "dslr@device"), capture.taken);
        assertTrue(failed(call("CAPTURE_IMAGE", "{\"download\":\"yes\"}")).contains("'download' must be true or false"));
    }

    // ---- lights

    @Test
    void lightsAreUnavailableUntilTheServiceAppears() throws Exception {
        assertTrue(failed(call("GET_LIGHT_STATES", "{}")).contains("Lights are not available"));
        assertTrue(failed(call("SET_LIGHT_STATE", "{\"light_name\":\"front\",\"state\":true}"))
                .contains("Lights are not available"));
        Fakes.Lights lights = new Fakes.Lights();
        services.lights.set(lights);

        JsonNode r = call("GET_LIGHT_STATES", "{}");
        ok(r);
        assertFalse(r.get("data").get("states").get("front").asBoolean());
        assertFalse(r.get("data").get("gpio_available").asBoolean());

        r = call("SET_LIGHT_STATE", "{\"light_name\":\"front\",\"state\":true}");
        ok(r);
        assertEquals("front", r.get("data").get("light_name").asText());
        assertTrue(r.get("data").get("new_state").asBoolean());
        assertEquals("Light 'front' turned ON.", r.get("data").get("message").asText());
        assertTrue(lights.states().get("front"));

        assertTrue(failed(call("SET_LIGHT_STATE", "{\"light_name\":\"nope\",\"state\":true}"))
                .startsWith("Invalid light name: nope."));
        assertTrue(failed(call("SET_LIGHT_STATE", "{\"light_name\":\"front\"}")).contains("'state' is required"));
        assertTrue(failed(call("SET_LIGHT_STATE", "{\"light_name\":\"front\",\"state\":\"on\"}"))
                .contains("'state' must be true or false"));

        services.lights.set(null);
        assertTrue(failed(call("GET_LIGHT_STATES", "{}")).contains("Lights are not available"));
    }

    // ---- photometric sets

    @Test
    void photometricSetPushesProgressThenTheResult() throws Exception {
        assertTrue(failed(call("CAPTURE_PHOTOMETRIC_SET", "{\"light_sequence\":[\"front\"]}"))
                .contains("sequences are not available"));
        Fakes.Sequences sequences = new Fakes.Sequences();
        services.sequences.set(sequences);
        assertTrue(failed(call("CAPTURE_PHOTOMETRIC_SET", "{}")).contains("'light_sequence' is required"));
        assertTrue(failed(call("CAPTURE_PHOTOMETRIC_SET", "{\"light_sequence\":[1]}")).contains("'light_sequence'"));
        assertTrue(failed(call("CAPTURE_PHOTOMETRIC_SET", "{\"light_sequence\":[\"a\"],\"set_name_prefix\":3}"))
                .contains("'set_name_prefix' must be a string"));

        ok(call("SELECT_CAMERA", "{\"name\":\"dslr\"}"));
        transport.messages.clear();
        dispatcher.handle(session, "{\"action\":\"CAPTURE_PHOTOMETRIC_SET\",\"payload\":{\"light_sequence\":"
                + "[\"front\",\"top\"],\"set_name_prefix\":\"scan\"},\"request_id\":\"seq-1\"}");
        List<JsonNode> out = new ArrayList<>();
        for (String m : transport.messages) {
            out.add(JSON.readTree(m));
        }
        assertEquals(List.of("dslr"), sequences.last.cameras(), "the selected camera takes the pictures");
        JsonNode last = out.get(out.size() - 1);
        for (JsonNode progress : out.subList(0, out.size() - 1)) {
            assertEquals("photometric_progress", progress.get("action").asText());
            assertEquals("seq-1", progress.get("request_id").asText());
            assertTrue(progress.get("success").asBoolean());
        }
        assertTrue(out.stream().anyMatch(m -> "processing_light_1_of_2".equals(m.get("data").get("status").asText())
                && "front".equals(m.get("data").get("current_light").asText())));
        assertEquals("CAPTURE_PHOTOMETRIC_SET", last.get("action").asText());
        assertEquals("seq-1", last.get("request_id").asText());
        ok(last);
        assertEquals("sets/scan_20261120-101530", last.get("data").get("set_folder").asText());
        assertEquals(2, last.get("data").get("image_count").asInt());
        assertEquals("sets/scan_20261120-101530/image_02_top.jpg",
                last.get("data").get("images_captured").get(1).asText());
    }

    @Test
    void aFailedSequenceReportsThePartialSet() throws Exception {
        services.sequences.set(new Fakes.Sequences());
        transport.messages.clear();
        dispatcher.handle(session, "{\"action\":\"CAPTURE_PHOTOMETRIC_SET\",\"payload\":{\"light_sequence\":"
                + "[\"front\",\"broken\"]},\"request_id\":\"s2\"}");
        List<JsonNode> out = new ArrayList<>();
        for (String m : transport.messages) {
            out.add(JSON.readTree(m));
        }
        JsonNode errorStep = out.stream().filter(m -> !m.get("success").asBoolean()
                && "photometric_progress".equals(m.get("action").asText())).findFirst().orElseThrow();
        assertEquals("error_processing_light_2", errorStep.get("data").get("status").asText());
        JsonNode last = out.get(out.size() - 1);
        assertEquals("Photometric sequence failed: Failed to capture image for light: broken", failed(last));
        assertEquals(1, last.get("data").get("image_count").asInt());
        assertEquals("sets/set_20261120-101530", last.get("data").get("set_folder").asText());
    }

    // ---- image sets and image data

    @Test
    void imageSetsListShowDelete() throws Exception {
        assertTrue(failed(call("LIST_IMAGE_SETS", "{}")).contains("Image sets are not available"));
        Fakes.Sets sets = new Fakes.Sets();
        services.imageSets.set(sets);
        JsonNode r = call("LIST_IMAGE_SETS", "{}");
        ok(r);
        assertEquals("scan_20261120-101530", r.get("data").get(0).get("name").asText());

        r = call("GET_IMAGE_SET_CONTENTS", "{\"set_name\":\"scan_20261120-101530\"}");
        ok(r);
        assertEquals("image_01_front.jpg", r.get("data").get(0).get("filename").asText());
        assertEquals("sets/scan_20261120-101530/image_01_front.jpg", r.get("data").get(0).get("path").asText());
        assertEquals("Set 'non_existent_set' not found or empty.",
                failed(call("GET_IMAGE_SET_CONTENTS", "{\"set_name\":\"non_existent_set\"}")));
        assertTrue(failed(call("GET_IMAGE_SET_CONTENTS", "{\"set_name\":\"../etc\"}")).contains("malformed"));
        assertTrue(failed(call("GET_IMAGE_SET_CONTENTS", "{}")).contains("'set_name' is required"));

        r = call("GET_IMAGE_DATA", "{\"image_path\":\"sets/scan_20261120-101530/image_01_front.jpg\"}");
        ok(r);
        assertEquals("image_01_front.jpg", r.get("data").get("filename").asText());
        assertEquals("image/jpeg", r.get("data").get("mimetype").asText());
        assertEquals("JPEG", new String(Base64.getDecoder().decode(r.get("data").get("image_b64").asText()),
                StandardCharsets.US_ASCII));

        r = call("DELETE_IMAGE_SET", "{\"set_name\":\"scan_20261120-101530\"}");
        ok(r);
        assertEquals("Set 'scan_20261120-101530' deleted successfully.", r.get("data").get("message").asText());
        assertTrue(failed(call("DELETE_IMAGE_SET", "{\"set_name\":\"scan_20261120-101530\"}"))
                .contains("does not exist"));
    }

    @Test
    void imageDataServesCapturesAndRefusesEverythingElse() throws Exception {
        store.put("captures/bench/bench_1.jpg", new byte[] { (byte) 0xFF, (byte) 0xD8, 1, 2 });
        store.put("captures/bench/bench_1.json", "{}".getBytes(StandardCharsets.US_ASCII));
        store.put("secret.jpg", new byte[] { 9 });
        JsonNode r = call("GET_IMAGE_DATA", "{\"image_path\":\"captures/bench/bench_1.jpg\"}");
        ok(r);
        assertEquals("image/jpeg", r.get("data").get("mimetype").asText());
        assertEquals(4, Base64.getDecoder().decode(r.get("data").get("image_b64").asText()).length);

        for (String bad : List.of("captures/bench/bench_1.json", "captures/../secret.jpg", "../secret.jpg",
                "/etc/passwd", "secret.jpg", "captures/bench/../../secret.jpg", "captures/bench/nope.jpg",
                "captures/bench\\\\bench_1.jpg", "captures/bench/bench_1.jpg\\u0000", "sets/../secret.jpg",
                "captures/%2e%2e/secret.jpg", "")) {
            JsonNode e = call("GET_IMAGE_DATA", "{\"image_path\":\"" + bad + "\"}");
            String error = failed(e);
            assertTrue(error.contains("image_path") || error.contains("access denied"), bad + ": " + error);
            assertTrue(e.get("data").isNull());
        }
        assertTrue(failed(call("GET_IMAGE_DATA", "{\"image_path\":[]}")).contains("'image_path' must be a string"));
    }

    // ---- liveview

    @Test
    void liveviewSendsFramesOfTheSelectedCamera() throws Exception {
        assertTrue(failed(call("START_LIVEVIEW", "{}")).contains("No camera selected"));
        ok(call("SELECT_CAMERA", "{\"name\":\"bench\"}"));
        JsonNode r = call("START_LIVEVIEW", "{}");
        ok(r);
        assertEquals("Liveview stream initiated.", r.get("data").get("message").asText());
        assertEquals("Liveview stream already active.", transportLast("START_LIVEVIEW"));
        Fakes.Subscription sub = registry.subscriptions.get(0);
        transport.messages.clear();
        sub.push(new byte[] { (byte) 0xFF, (byte) 0xD8, 42 });
        String frame = transport.messages.poll(10, TimeUnit.SECONDS);
        assertNotNull(frame, "a liveview frame");
        JsonNode f = JSON.readTree(frame);
        assertEquals("liveview_frame", f.get("action").asText());
        assertEquals("image/jpeg", f.get("mimetype").asText());
        assertEquals(42, Base64.getDecoder().decode(f.get("frame").asText())[2]);

        assertEquals("Liveview stream stopped.", transportLast("STOP_LIVEVIEW"));
        assertTrue(sub.closed);
        assertEquals("Liveview was not active.", transportLast("STOP_LIVEVIEW"));
    }

    @Test
    void selectingAnotherCameraStopsTheLiveview() throws Exception {
        ok(call("SELECT_CAMERA", "{\"name\":\"bench\"}"));
        ok(call("START_LIVEVIEW", "{}"));
        ok(call("SELECT_CAMERA", "{\"name\":\"dslr\"}"));
        assertTrue(registry.subscriptions.get(0).closed);
        assertFalse(session.liveviewActive());
    }

    @Test
    void liveviewRefusesACameraWithoutPreview() throws Exception {
        registry.cameras.add(Fakes.camera("stills", "gphoto2", "usb:9", java.util.Map.of(),
                org.obscura.camera.api.CameraState.ONLINE, org.obscura.camera.api.Capability.STILL));
        ok(call("SELECT_CAMERA", "{\"name\":\"stills\"}"));
        assertEquals("Camera 'stills' does not support preview.", failed(call("START_LIVEVIEW", "{}")));
    }

    // ---- events and access

    @Test
    void eventMessagesCarryTopicAndProperties() throws Exception {
        JsonNode e = JSON.readTree(dispatcher.eventMessage("org/obscura/camera/ONLINE",
                java.util.Map.of("camera", "bench", "event.topics", "org/obscura/camera/ONLINE", "when",
                        java.time.Instant.parse("2026-11-20T10:15:30Z"))));
        assertEquals("event", e.get("action").asText());
        assertTrue(e.get("success").asBoolean());
        assertEquals("org/obscura/camera/ONLINE", e.get("data").get("topic").asText());
        assertEquals("bench", e.get("data").get("camera").asText());
        assertEquals("2026-11-20T10:15:30Z", e.get("data").get("when").asText());
        assertNull(e.get("data").get("event.topics"));
        ok(call("SUBSCRIBE_EVENTS", "{}"));
        assertTrue(session.eventsSubscribed());
        ok(call("UNSUBSCRIBE_EVENTS", "{}"));
        assertFalse(session.eventsSubscribed());
    }

    @Test
    void theAccessPolicyIsAskedBeforeEveryAction() throws Exception {
        policy = (action, s) -> action.mutating() ? "Administrator credentials required for " + action + "." : null;
        ok(call("SELECT_CAMERA", "{\"name\":\"dslr\"}"));
        assertEquals("Administrator credentials required for CAPTURE_IMAGE.", failed(call("CAPTURE_IMAGE", "{}")));
        assertTrue(capture.taken.isEmpty());
        ok(call("GET_CONFIG", "{}"));
    }
}
