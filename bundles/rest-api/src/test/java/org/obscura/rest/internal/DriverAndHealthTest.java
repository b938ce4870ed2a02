package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.DriverInfo;

class DriverAndHealthTest {

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void listsDriversAndShowsOneWithItsForm() throws Exception {
        TestApi t = new TestApi(dir);
        t.registry.driver(new DriverInfo("gphoto2", "DSLRs (gphoto2)", "org.obscura.driver.gphoto2.camera", false,
                "libgphoto2 not found: install libgphoto2-6", "org.obscura.driver.gphoto2", "0.1.0"));
        List<Object> drivers = t.list(t.call("GET", "/v1/drivers"));
        assertEquals(2, drivers.size());
        Map<String, Object> gphoto = (Map<String, Object>) drivers.get(0);
        assertEquals("gphoto2", gphoto.get("id"));
        assertEquals(false, gphoto.get("available"));
        assertFalse(gphoto.containsKey("form"));
        Map<String, Object> testpattern = t.object(t.call("GET", "/v1/drivers/testpattern"));
        Map<String, Object> form = (Map<String, Object>) testpattern.get("form");
        assertEquals(Fakes.PID, form.get("pid"));
        assertEquals("Test pattern camera", form.get("name"));
        assertTrue(((List<Object>) form.get("attributes")).size() > 5);
        Map<String, Object> bare = (Map<String, Object>) t.object(t.call("GET", "/v1/drivers/gphoto2")).get("form");
        assertEquals(false, bare.get("described"), "no metatype: only the common properties");
        assertEquals(404, t.problem("GET", "/v1/drivers/nikon").status());
        assertEquals("driver", t.problem("GET", "/v1/drivers/a%2Fb").field());
    }

    @Test
    @SuppressWarnings("unchecked")
    void discoversDevices() throws Exception {
        TestApi t = new TestApi(dir);
        t.registry.devices.put("testpattern", List.of(new DeviceInfo("testpattern", "pattern:bars", "Bars", null,
                List.of(new DeviceInfo.Format("MJPG", "Motion-JPEG",
                        List.of(new DeviceInfo.Size(640, 480, List.of(30.0, 15.0))))))));
        List<Object> devices = t.list(t.call("GET", "/v1/drivers/testpattern/devices"));
        Map<String, Object> d = (Map<String, Object>) devices.get(0);
        assertEquals("pattern:bars", d.get("device"));
        Map<String, Object> format = (Map<String, Object>) ((List<Object>) d.get("formats")).get(0);
        assertEquals("MJPG", format.get("fourcc"));
        assertEquals(404, t.problem("GET", "/v1/drivers/nikon/devices").status());
    }

    @Test
    @SuppressWarnings("unchecked")
    void reportsHealth() throws Exception {
        TestApi t = new TestApi(dir);
        t.registry.camera(Fakes.status("a", "testpattern", CameraState.STREAMING));
        t.registry.camera(Fakes.status("b", "testpattern", CameraState.ONLINE));
        t.registry.camera(Fakes.status("c", "testpattern", CameraState.OFFLINE));
        Map<String, Object> h = t.object(t.call("GET", "/v1/health"));
        assertEquals("0.1.0", h.get("version"));
        assertEquals("2025-01-02T00:00:00Z", h.get("started"));
        assertEquals(3600L, h.get("uptimeSeconds"));
        assertEquals(Map.of("total", 1, "available", 1), h.get("drivers"));
        assertEquals(Map.of("total", 3, "online", 2, "streaming", 1, "offline", 1), h.get("cameras"));
        Map<String, Object> data = (Map<String, Object>) h.get("dataDir");
        assertTrue(((Number) data.get("freeBytes")).longValue() >= 0);
        assertEquals(((List<Object>) h.get("problems")).isEmpty() ? "ok" : "degraded", h.get("status"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aMissingDataDirIsDegraded() throws Exception {
        TestApi t = new TestApi(dir.resolve("missing"));
        Map<String, Object> h = t.object(t.call("GET", "/v1/health"));
        assertEquals("degraded", h.get("status"));
        assertEquals(List.of("the data dir does not exist"), h.get("problems"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theIndexListsEveryRoute() throws Exception {
        TestApi t = new TestApi(dir);
        List<Object> routes = (List<Object>) t.object(t.call("GET", "/v1")).get("routes");
        assertTrue(routes.contains(Map.of("method", "GET", "path", "/api/v1/cameras/{camera}/stream")), routes.toString());
        assertEquals(t.api.router().routes().size(), routes.size());
    }
}
