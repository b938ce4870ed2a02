package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceResult;

/** Lights, sequences and image sets: 503 without their services, working as soon as they are bound. */
class LabResourcesTest {

    @TempDir
    Path dir;
    private TestApi t;
    private final Fakes.Lights lights = new Fakes.Lights("north", "south");
    private final Fakes.Sequencer sequencer = new Fakes.Sequencer();
    private final Fakes.Sets sets = new Fakes.Sets();

    @BeforeEach
    void setUp() {
        t = new TestApi(dir);
        Map<String, byte[]> files = new ConcurrentHashMap<>();
        files.put("image_01_north.jpg", new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2});
        files.put("manifest.json", "{\"status\":\"complete\"}".getBytes(StandardCharsets.UTF_8));
        sets.sets.put("scan_20250102-030405", files);
    }

    @Test
    void withoutTheirServicesTheRoutesAnswer503SayingWhy() {
        Problem lightsGone = t.problem("GET", "/v1/lights");
        assertEquals(503, lightsGone.status());
        assertEquals("lights are not available (no lights bundle running)", lightsGone.detail());
        assertEquals(503, t.problem("PUT", "/v1/lights/north", "{\"on\": true}").status());
        Problem sequencesGone = t.problem("POST", "/v1/sequences/photometric", "{\"lights\": [\"north\"]}");
        assertEquals(503, sequencesGone.status());
        assertTrue(sequencesGone.detail().contains("sequences are not available"), sequencesGone.detail());
        for (String path : List.of("/v1/sets", "/v1/sets/scan_20250102-030405",
                "/v1/sets/scan_20250102-030405/manifest.json")) {
            Problem p = t.problem("GET", path);
            assertEquals(503, p.status(), path);
            assertTrue(p.detail().contains("image sets are not available"), p.detail());
        }
        assertEquals(503, t.problem("DELETE", "/v1/sets/scan_20250102-030405").status());
    }

    @Test
    void servicesWorkAsSoonAsTheyAreBoundAndStopWhenUnbound() throws Exception {
        t.api.lights().bind(lights);
        assertEquals(Map.of("states", Map.of("north", false, "south", false), "gpio_available", false),
                t.object(t.call("GET", "/v1/lights")));
        Fakes.Lights better = new Fakes.Lights("east");
        better.hardware = true;
        // A greedy reference binds the better service first, then unbinds the old one.
        t.api.lights().bind(better);
        t.api.lights().unbind(lights);
        assertEquals(Map.of("states", Map.of("east", false), "gpio_available", true),
                t.object(t.call("GET", "/v1/lights")));
        t.api.lights().unbind(lights);
        assertEquals(200, assertInstanceOf(Reply.Json.class, t.call("GET", "/v1/lights")).status(),
                "unbinding a service that is no longer bound changes nothing");
        t.api.lights().unbind(better);
        assertEquals(503, t.problem("GET", "/v1/lights").status());
    }

    @Test
    void switchesALight() throws Exception {
        t.api.lights().bind(lights);
        Map<String, Object> r = t.object(t.call("PUT", "/v1/lights/south", "{\"on\": true}"));
        assertEquals(true, r.get("on"));
        assertEquals(Map.of("north", false, "south", true), r.get("states"));
        assertEquals(true, lights.states().get("south"));
        Problem unknown = t.problem("PUT", "/v1/lights/west", "{\"on\": true}");
        assertEquals(404, unknown.status());
        assertTrue(unknown.detail().contains("north, south"), unknown.detail());
        for (String body : List.of("{}", "{\"on\": \"yes\"}", "{\"on\": 1}", "{\"on\": true, \"x\": 1}", "[]", "")) {
            assertEquals(400, t.problem("PUT", "/v1/lights/north", body).status(), body);
        }
        assertEquals(400, t.problem("PUT", "/v1/lights/..", "{\"on\": true}").status());
        assertEquals(false, lights.states().get("north"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void startsASequenceAndReportsItsProgressAndResult() throws Exception {
        t.api.sequencer().bind(sequencer);
        Reply r = t.call("POST", "/v1/sequences/photometric",
                "{\"lights\": [\"north\", \"south\"], \"prefix\": \"scan\", \"cameras\": [\"left\"], \"settle_ms\": 250}");
        Reply.Json started = assertInstanceOf(Reply.Json.class, r);
        assertEquals(202, started.status());
        Map<String, Object> body = t.object(r);
        String id = (String) body.get("id");
        assertEquals("/api/v1/sequences/" + id, started.headers().get("Location"));
        assertEquals("running", body.get("state"));
        assertEquals(Map.of("lights", List.of("north", "south"), "prefix", "scan", "cameras", List.of("left"),
                "settle_ms", 250L), body.get("request"));
        assertEquals(Duration.ofMillis(250), sequencer.requests.get(0).settle());

        sequencer.progress.accept(new SequenceProgress("capturing", 1, 2, "north", "sets/scan_20250102-030405", null));
        Map<String, Object> running = t.object(t.call("GET", "/v1/sequences/" + id));
        assertEquals("running", running.get("state"));
        assertEquals("north", ((Map<String, Object>) running.get("progress")).get("currentLight"));
        assertNull(running.get("result"));

        Problem busy = t.problem("POST", "/v1/sequences/photometric", "{\"lights\": [\"north\"]}");
        assertEquals(409, busy.status());

        sequencer.result.complete(new SequenceResult(true, "2 images", "sets/scan_20250102-030405",
                List.of("sets/scan_20250102-030405/image_01_north.jpg", "sets/scan_20250102-030405/image_02_south.jpg"), null));
        Map<String, Object> done = t.object(t.call("GET", "/v1/sequences/" + id));
        assertEquals("completed", done.get("state"));
        assertEquals(2, ((List<Object>) ((Map<String, Object>) done.get("result")).get("images")).size());
        assertEquals(1, t.list(t.call("GET", "/v1/sequences")).size());
        assertEquals(404, t.problem("GET", "/v1/sequences/0123456789abcdef").status());
    }

    @Test
    void aSequenceThatFailsIsReportedAsFailed() throws Exception {
        t.api.sequencer().bind(sequencer);
        String id = (String) t.object(t.call("POST", "/v1/sequences/photometric", "{\"lights\": [\"north\"]}")).get("id");
        sequencer.result.completeExceptionally(new IllegalStateException("the camera vanished"));
        Map<String, Object> failed = t.object(t.call("GET", "/v1/sequences/" + id));
        assertEquals("failed", failed.get("state"));
        assertTrue(String.valueOf(failed.get("result")).contains("the camera vanished"), String.valueOf(failed));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"lights\": []}", "{\"lights\": \"north\"}", "{\"lights\": [1]}",
            "{\"lights\": [\"\"]}", "{\"lights\": [\"north\"], \"prefix\": 5}", "{\"lights\": [\"north\"], \"cameras\": \"left\"}",
            "{\"lights\": [\"north\"], \"settle_ms\": -1}", "{\"lights\": [\"north\"], \"settle_ms\": 1.5}",
            "{\"lights\": [\"north\"], \"settle_ms\": 999999}", "{\"lights\": [\"north\"], \"color\": \"red\"}",
            "{\"lights\": [\"west\"]}", "", "[]"})
    void badSequenceRequestsAre400(String body) {
        t.api.sequencer().bind(sequencer);
        Problem p = t.problem("POST", "/v1/sequences/photometric", body);
        assertEquals(400, p.status(), body + ": " + p);
        assertTrue(sequencer.requests.isEmpty(), "nothing started");
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsReadsAndDeletesImageSets() throws Exception {
        t.api.imageSets().bind(sets);
        List<Object> all = t.list(t.call("GET", "/v1/sets"));
        assertEquals(1, all.size());
        Map<String, Object> set = (Map<String, Object>) all.get(0);
        assertEquals("scan_20250102-030405", set.get("name"));
        assertEquals("/api/v1/sets/scan_20250102-030405", set.get("url"));
        assertEquals(1, set.get("imageCount"));

        Map<String, Object> contents = t.object(t.call("GET", "/v1/sets/scan_20250102-030405"));
        List<Object> files = (List<Object>) contents.get("files");
        assertEquals(2, files.size());
        assertEquals("/api/v1/sets/scan_20250102-030405/image_01_north.jpg",
                ((Map<String, Object>) files.get(0)).get("url"));

        Reply.Bytes image = assertInstanceOf(Reply.Bytes.class,
                t.call("GET", "/v1/sets/scan_20250102-030405/image_01_north.jpg?download=true"));
        assertEquals("image/jpeg", image.contentType());
        byte[] bytes = new byte[image.data().remaining()];
        image.data().get(bytes);
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2}, bytes);
        assertEquals("attachment; filename=\"image_01_north.jpg\"", image.headers().get("Content-Disposition"));
        assertEquals(List.of("sets/scan_20250102-030405/image_01_north.jpg"), sets.reads);

        assertEquals(404, t.problem("GET", "/v1/sets/scan_20250102-030405/image_09_x.jpg").status());
        assertEquals(404, t.problem("GET", "/v1/sets/other").status());
        assertInstanceOf(Reply.Empty.class, t.call("DELETE", "/v1/sets/scan_20250102-030405"));
        assertEquals(404, t.problem("DELETE", "/v1/sets/scan_20250102-030405").status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/sets/..", "/v1/sets/%2e%2e/manifest.json", "/v1/sets/a%2Fb", "/v1/sets/x/..",
            "/v1/sets/x/%2e%2e%2fsecret", "/v1/sets/.x", "/v1/sets/x/a%00.jpg", "/v1/sets/x/a%5Cb.jpg"})
    void pathsLeavingTheSetsFolderAre400AndNeverReachTheService(String path) {
        t.api.imageSets().bind(sets);
        assertEquals(400, t.problem("GET", path).status(), path);
        assertTrue(sets.reads.isEmpty());
    }
}
