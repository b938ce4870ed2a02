package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraException;

class SnapshotResourceTest {

    @TempDir
    Path dir;

    @Test
    void oneSnapshotCarriesTheSnapshotServerFields() throws Exception {
        TestApi t = new TestApi(dir);
        Map<String, Object> r = t.object(t.call("POST", "/v1/cameras/left/snapshot", "{\"metadata\":{\"light\":\"front\"}}"));
        assertEquals(true, r.get("success"));
        assertEquals("left", r.get("camera"));
        assertEquals("left_20250102-030405-000.jpg", r.get("file"));
        assertEquals(r.get("file"), r.get("filename"));
        assertEquals("/api/v1/captures/left/left_20250102-030405-000.jpg", r.get("url"));
        assertEquals(r.get("url"), r.get("image_url_path"));
        assertEquals("captures/left/left_20250102-030405-000.jpg", r.get("path"));
        assertEquals("captures/left/left_20250102-030405-000.jpg.json", r.get("sidecar"));
        assertEquals(1234L, r.get("size"));
        assertEquals(640, r.get("width"));
        assertEquals(480, r.get("height"));
        assertEquals("2025-01-02T03:04:05Z", r.get("timestamp"));
        assertEquals(Map.of("light", "front"), t.capture.metadata.get(0));
    }

    @Test
    void snapshotFailuresMapToTheirStatus() {
        TestApi t = new TestApi(dir);
        t.capture.single = c -> {
            throw new CameraException(CameraException.Kind.BUSY, "camera '" + c + "' is busy");
        };
        Problem p = t.problem("POST", "/v1/cameras/left/snapshot", null);
        assertEquals(503, p.status());
        assertEquals("camera 'left' is busy", p.detail());
        assertEquals("metadata", t.problem("POST", "/v1/cameras/left/snapshot", "{\"metadata\":3}").field());
        assertEquals("extra", t.problem("POST", "/v1/cameras/left/snapshot", "{\"extra\":3}").field());
        assertEquals(400, t.problem("POST", "/v1/cameras/left/snapshot", "{nope").status());
    }

    @Test
    @SuppressWarnings("unchecked")
    void batchWithSomeFailuresIs200WithErrors() throws Exception {
        TestApi t = new TestApi(dir);
        t.capture.all = new BatchResult("all", List.of(Fakes.result("left", "l.jpg", 0)), Map.of("right", "offline"),
                null, Instant.parse("2025-01-02T03:04:05Z"), Instant.parse("2025-01-02T03:04:06Z"));
        Map<String, Object> r = t.object(t.call("POST", "/v1/snapshot"));
        assertEquals("all", r.get("mode"));
        assertEquals(false, r.get("success"));
        assertEquals(Map.of("right", "offline"), r.get("errors"));
        assertEquals(1, ((List<Object>) r.get("results")).size());
        assertEquals("l.jpg", ((Map<String, Object>) ((List<Object>) r.get("results")).get(0)).get("file"));
        assertEquals(null, r.get("skew_ms"));
        assertEquals("2025-01-02T03:04:06Z", r.get("finished"));
    }

    @Test
    void batchWhereEveryCameraFailedIs503() {
        TestApi t = new TestApi(dir);
        t.capture.all = new BatchResult("all", List.of(), Map.of("left", "busy", "right", "offline"), null,
                Instant.EPOCH, Instant.EPOCH);
        Problem p = t.problem("POST", "/v1/snapshot", null);
        assertEquals(503, p.status());
        assertTrue(p.detail().contains("left: busy; right: offline"), p.detail());
        assertEquals(Map.of("left", "busy", "right", "offline"), p.extensions().get("errors"));
        t.capture.all = new BatchResult("all", List.of(), Map.of(), null, Instant.EPOCH, Instant.EPOCH);
        assertTrue(t.problem("POST", "/v1/snapshot", null).detail().contains("none is online"));
    }

    @Test
    void stereoReportsSkewInMilliseconds() throws Exception {
        TestApi t = new TestApi(dir);
        assertEquals(503, t.problem("POST", "/v1/snapshot/stereo", null).status());
        t.capture.stereo = new BatchResult("stereo",
                List.of(Fakes.result("left", "l.jpg", 1_000_000), Fakes.result("right", "r.jpg", 3_345_678)), Map.of(),
                2_345_678L, Instant.EPOCH, Instant.EPOCH);
        Map<String, Object> r = t.object(t.call("POST", "/v1/snapshot/stereo", ""));
        assertEquals(true, r.get("success"));
        assertEquals(2.346, r.get("skew_ms"));
    }
}
