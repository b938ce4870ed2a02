package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraState;

class CameraResourceTest {

    @TempDir
    Path dir;

    private TestApi api() {
        return new TestApi(dir);
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsRegisteredAndConfiguredCameras() throws Exception {
        TestApi t = api();
        t.registry.camera(Fakes.status("builtin", "testpattern", CameraState.STREAMING));
        t.registry.camera(Fakes.status("left", "testpattern", CameraState.ONLINE));
        t.configAdmin.stored(Fakes.PID, "left", Map.of("name", "left"));
        t.configAdmin.stored(Fakes.PID, "spare", Map.of("name", "spare", "label", "Spare", "enabled", false,
                "device", "pattern:noise"));
        List<Object> cameras = t.list(t.call("GET", "/v1/cameras"));
        assertEquals(3, cameras.size());
        Map<String, Object> builtin = (Map<String, Object>) cameras.get(0);
        assertEquals("builtin", builtin.get("name"));
        assertEquals("streaming", builtin.get("state"));
        assertEquals(false, builtin.get("configurable"));
        assertEquals(Map.of("format", "JPEG", "width", 640, "height", 480, "fps", 30.0), builtin.get("mode"));
        assertEquals(List.of("stream", "still"), builtin.get("capabilities"));
        assertEquals(30.0, builtin.get("fps"));
        assertEquals("2025-01-02T03:04:05Z", builtin.get("lastFrame"));
        assertEquals(Map.of("stream", "/api/v1/cameras/builtin/stream", "frame", "/api/v1/cameras/builtin/frame",
                "snapshot", "/api/v1/cameras/builtin/snapshot"), builtin.get("urls"));
        assertFalse(builtin.containsKey("configuration"), "the list leaves configurations out");
        Map<String, Object> left = (Map<String, Object>) cameras.get(1);
        assertEquals(true, left.get("configurable"));
        Map<String, Object> spare = (Map<String, Object>) cameras.get(2);
        assertEquals("offline", spare.get("state"));
        assertEquals(false, spare.get("enabled"));
        assertEquals("Spare", spare.get("label"));
        assertEquals("pattern:noise", spare.get("device"));
        assertEquals("testpattern", spare.get("driver"));
        assertEquals("disabled in its configuration", spare.get("lastError"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void showsOneCameraWithItsConfigurationWithoutInternalKeys() throws Exception {
        TestApi t = api();
        t.registry.camera(Fakes.status("left", "testpattern", CameraState.ONLINE));
        t.configAdmin.stored(Fakes.PID, "left", Map.of("name", "left", "width", 800, "secret", "hunter2",
                "felix.fileinstall.filename", "file:/conf/x.cfg"));
        Map<String, Object> left = t.object(t.call("GET", "/v1/cameras/left"));
        Map<String, Object> configuration = (Map<String, Object>) left.get("configuration");
        assertEquals(Fakes.PID + "~left", configuration.get("pid"));
        assertEquals("testpattern", configuration.get("driver"));
        assertEquals(Map.of("name", "left", "width", 800, "secret", ConfigurationForm.MASK), configuration.get("properties"));
        assertEquals(Map.of("model", "synthetic"), left.get("properties"));
        Problem missing = t.problem("GET", "/v1/cameras/nope");
        assertEquals(404, missing.status());
        assertTrue(missing.detail().contains("'nope'"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void createsANamedFactoryConfiguration() throws Exception {
        TestApi t = api();
        Reply r = t.call("POST", "/v1/cameras",
                "{\"driver\":\"testpattern\",\"name\":\"left\",\"width\":\"1280\",\"height\":720,\"stereo\":true}");
        Reply.Json j = assertInstanceOf(Reply.Json.class, r);
        assertEquals(201, j.status());
        assertEquals("/api/v1/cameras/left", j.headers().get("Location"));
        Map<String, Object> body = t.object(r);
        assertEquals(Fakes.PID + "~left", body.get("pid"));
        assertEquals(Map.of("name", "left", "width", 1280, "height", 720, "stereo", true), body.get("properties"));
        Fakes.Config stored = t.configAdmin.configurations.get(Fakes.PID + "~left");
        assertEquals(1280, stored.properties.get("width"));
        assertEquals(List.of("?"), t.configAdmin.locations);
        assertEquals(1, t.driver.validated.size(), "the driver checked the configuration");
        assertEquals(1280, t.driver.validated.get(0).get("width"));
    }

    @Test
    void refusesBadCreationsWithoutWritingAnything() {
        TestApi t = api();
        t.registry.camera(Fakes.status("taken", "testpattern", CameraState.ONLINE));
        t.configAdmin.stored(Fakes.PID, "configured", Map.of("name", "configured"));
        int before = t.configAdmin.writes.get();
        assertProblem(t, "{\"name\":\"x\"}", 400, "driver");
        assertProblem(t, "{\"driver\":\"nikon\",\"name\":\"x\"}", 400, "driver");
        assertProblem(t, "{\"driver\":7,\"name\":\"x\"}", 400, "driver");
        assertProblem(t, "{\"driver\":\"testpattern\"}", 400, "name");
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"Bad Name\"}", 400, "name");
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":[\"x\"]}", 400, "name");
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"taken\"}", 409, "name");
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"configured\"}", 409, "name");
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"x\",\"colour\":\"red\"}", 400, "colour");
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"x\",\"width\":\"wide\"}", 400, "width");
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"x\",\"pattern\":\"plaid\"}", 400, "pattern");
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"x\",\"service.pid\":\"p\"}", 400, "service.pid");
        assertProblem(t, "[1]", 400, null);
        assertProblem(t, "{", 400, null);
        assertProblem(t, null, 400, null);
        assertTrue(t.driver.validated.isEmpty(), "the driver is asked only after the metatype checks passed");
        t.driver.validator = m -> {
            throw CameraException.invalid("width", "width 1280 is not offered; sizes: 640x480");
        };
        Problem p = assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"x\",\"width\":1280}", 400, "width");
        assertEquals("width 1280 is not offered; sizes: 640x480", p.detail());
        t.driver.validator = m -> {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "probing failed");
        };
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"x\"}", 503, null);
        assertEquals(before, t.configAdmin.writes.get(), "nothing was written");
        assertFalse(t.configAdmin.configurations.containsKey(Fakes.PID + "~x"));
    }

    @Test
    void aValueOutOfTheFormsBoundsIsExplainedByTheDriver() {
        TestApi t = api();
        int before = t.configAdmin.writes.get();
        // The form's own verdict is generic; the driver says what is allowed.
        t.driver.validator = m -> {
            if (((Number) m.get("width")).intValue() > 3840) {
                throw CameraException.invalid("width", "width " + m.get("width") + " is out of range: 16 to 3840");
            }
        };
        Problem p = assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"x\",\"width\":99999}", 400, "width");
        assertEquals("width 99999 is out of range: 16 to 3840", p.detail());
        // A driver that cannot judge the raw input leaves the form's verdict standing.
        t.driver.validator = m -> {
            throw new IllegalStateException("not converted");
        };
        p = assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"x\",\"width\":99999}", 400, "width");
        assertEquals("property 'width': width 99999 exceeds 3840", p.detail());
        assertEquals(before, t.configAdmin.writes.get(), "nothing written");
    }

    @Test
    void aDriverWhoseServiceIsGoneCannotValidateSoNothingIsWritten() {
        TestApi t = api();
        t.drivers.remove(t.driver);
        assertProblem(t, "{\"driver\":\"testpattern\",\"name\":\"x\"}", 503, null);
        assertEquals(0, t.configAdmin.writes.get());
    }

    @Test
    @SuppressWarnings("unchecked")
    void updatesReplaceTheConfiguration() throws Exception {
        TestApi t = api();
        Fakes.Config c = t.configAdmin.stored(Fakes.PID, "left", Map.of("name", "left", "width", 800,
                "label", "Old", "secret", "hunter2", "felix.fileinstall.filename", "file:/conf/left.cfg"));
        Map<String, Object> body = t.object(t.call("PUT", "/v1/cameras/left",
                "{\"driver\":\"testpattern\",\"width\":1024,\"secret\":\"" + ConfigurationForm.MASK + "\"}"));
        assertEquals(Map.of("name", "left", "width", 1024, "secret", ConfigurationForm.MASK), body.get("properties"));
        assertEquals(1024, c.properties.get("width"));
        assertEquals("hunter2", c.properties.get("secret"), "a masked password keeps its value");
        assertFalse(c.properties.containsKey("label"), "PUT replaces: the label went back to its default");
        assertEquals("file:/conf/left.cfg", c.properties.get("felix.fileinstall.filename"));
    }

    @Test
    void refusesBadUpdates() {
        TestApi t = api();
        t.configAdmin.stored(Fakes.PID, "left", Map.of("name", "left", "width", 800));
        t.registry.camera(Fakes.status("builtin", "testpattern", CameraState.ONLINE));
        int before = t.configAdmin.writes.get();
        assertEquals("name", t.problem("PUT", "/v1/cameras/left", "{\"name\":\"right\"}").field());
        Problem driver = t.problem("PUT", "/v1/cameras/left", "{\"driver\":\"v4l2\"}");
        assertEquals(400, driver.status());
        assertEquals("driver", driver.field());
        assertEquals("width", t.problem("PUT", "/v1/cameras/left", "{\"width\":-1e100}").field());
        assertEquals(404, t.problem("PUT", "/v1/cameras/nope", "{}").status());
        Problem builtin = t.problem("PUT", "/v1/cameras/builtin", "{}");
        assertEquals(409, builtin.status());
        assertTrue(builtin.detail().contains("not configurable"), builtin.detail());
        assertEquals(400, t.problem("PUT", "/v1/cameras/BAD", "{}").status());
        assertEquals(before, t.configAdmin.writes.get());
    }

    @Test
    void deletesConfigurations() throws Exception {
        TestApi t = api();
        t.configAdmin.stored(Fakes.PID, "left", Map.of("name", "left"));
        t.registry.camera(Fakes.status("builtin", "testpattern", CameraState.ONLINE));
        assertEquals(204, assertInstanceOf(Reply.Empty.class, t.call("DELETE", "/v1/cameras/left")).status());
        assertTrue(t.configAdmin.configurations.isEmpty());
        assertEquals(404, t.problem("DELETE", "/v1/cameras/left").status());
        Problem builtin = t.problem("DELETE", "/v1/cameras/builtin");
        assertEquals(409, builtin.status());
        assertTrue(builtin.detail().contains("not configurable"), builtin.detail());
    }

    private static Problem assertProblem(TestApi t, String body, int status, String field) {
        Problem p = t.problem("POST", "/v1/cameras", body);
        assertEquals(status, p.status(), body + " -> " + p);
        assertEquals(field, p.field(), body + " -> " + p);
        return p;
    }
}
