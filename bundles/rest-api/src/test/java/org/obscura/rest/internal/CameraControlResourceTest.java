package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;

/** Settings and controls, reset, capture on the device, and the mode change. */
class CameraControlResourceTest {

    @TempDir
    Path dir;
    private TestApi t;

    @BeforeEach
    void setUp() {
        t = new TestApi(dir);
        t.registry.camera(Fakes.status("left", "testpattern", CameraState.STREAMING));
        Map<String, Setting> settings = new LinkedHashMap<>();
        settings.put("iso", new Setting("iso", "ISO Speed", SettingType.MENU, "100", List.of("100", "200", "400"),
                null, null, null, false, "imgsettings"));
        settings.put("brightness", new Setting("brightness", "Brightness", SettingType.INTEGER, 50L, null, 0, 100, 1,
                false, "user"));
        settings.put("serialnumber", new Setting("serialnumber", "Serial", SettingType.TEXT, "X1", null, null, null,
                null, true, "status"));
        t.registry.settings.put("left", settings);
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsAndReadsSettings() throws Exception {
        List<Object> all = t.list(t.call("GET", "/v1/cameras/left/settings"));
        assertEquals(3, all.size());
        Map<String, Object> iso = (Map<String, Object>) all.get(0);
        assertEquals("iso", iso.get("name"));
        assertEquals("MENU", iso.get("type"));
        assertEquals(List.of("100", "200", "400"), iso.get("options"));
        Map<String, Object> brightness = t.object(t.call("GET", "/v1/cameras/left/settings/brightness"));
        assertEquals(50L, brightness.get("value"));
        assertEquals(100, brightness.get("max"));
        Problem missing = t.problem("GET", "/v1/cameras/left/settings/shutter");
        assertEquals(404, missing.status());
        assertEquals("setting", missing.field());
        assertTrue(missing.detail().contains("'shutter'") && missing.detail().contains("iso, brightness, serialnumber"),
                missing.detail());
        assertEquals(404, t.problem("GET", "/v1/cameras/nope/settings").status());
    }

    @Test
    void writesASettingAndAnswersTheValueReadBack() throws Exception {
        Map<String, Object> iso = t.object(t.call("PUT", "/v1/cameras/left/settings/iso", "{\"value\": \"400\"}"));
        assertEquals("400", iso.get("value"));
        assertEquals("400", t.registry.settings.get("left").get("iso").value());
        Map<String, Object> b = t.object(t.call("PUT", "/v1/cameras/left/settings/brightness", "{\"value\": 70}"));
        assertEquals(70L, b.get("value"));
    }

    @Test
    void aRefusedValueNamesTheSettingAndTheAllowedValues() {
        Problem menu = t.problem("PUT", "/v1/cameras/left/settings/iso", "{\"value\": \"123\"}");
        assertEquals(400, menu.status());
        assertEquals("value", menu.field());
        assertTrue(menu.detail().contains("setting 'iso'") && menu.detail().contains("allowed: 100, 200, 400"),
                menu.detail());
        Problem range = t.problem("PUT", "/v1/cameras/left/settings/brightness", "{\"value\": 101}");
        assertTrue(range.detail().contains("integers from 0 to 100 in steps of 1"), range.detail());
        Problem readOnly = t.problem("PUT", "/v1/cameras/left/settings/serialnumber", "{\"value\": \"x\"}");
        assertEquals(400, readOnly.status());
        assertTrue(readOnly.detail().contains("'serialnumber'") && readOnly.detail().contains("read-only"),
                readOnly.detail());
        Problem unknown = t.problem("PUT", "/v1/cameras/left/settings/shutter", "{\"value\": 1}");
        assertEquals(404, unknown.status());
        assertTrue(unknown.detail().contains("its settings: iso, brightness, serialnumber"), unknown.detail());
        assertEquals(404, t.problem("PUT", "/v1/cameras/nope/settings/iso", "{\"value\": 1}").status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "{\"value\": null}", "{\"value\": [1]}", "{\"value\": {\"a\": 1}}",
            "{\"value\": 1, \"extra\": 2}", "[1]", "{\"value\": 1", "\"400\""})
    void malformedSettingRequestsAre400(String body) {
        Problem p = t.problem("PUT", "/v1/cameras/left/settings/iso", body);
        assertEquals(400, p.status(), body);
        assertEquals("100", t.registry.settings.get("left").get("iso").value(), "nothing was written");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/cameras/left/settings/..", "/v1/cameras/left/settings/a%2Fb",
            "/v1/cameras/left/settings/.hidden", "/v1/cameras/left/settings/a%00b", "/v1/cameras/left/settings/a%20b"})
    void badSettingNamesAre400(String path) {
        Problem p = t.problem("GET", path);
        assertEquals(400, p.status(), path);
        assertEquals("setting", p.field(), path);
    }

    @Test
    void resetsTheDevice() throws Exception {
        Map<String, Object> r = t.object(t.call("POST", "/v1/cameras/left/reset"));
        assertEquals(Map.of("camera", "left", "state", "streaming"), r);
        assertEquals(List.of("left"), t.registry.resets);
        t.registry.resetFailure = new CameraException(CameraException.Kind.TIMEOUT, "the camera did not come back");
        assertEquals(504, t.problem("POST", "/v1/cameras/left/reset").status());
        assertEquals(404, t.problem("POST", "/v1/cameras/nope/reset").status());
    }

    @Test
    void capturesOnTheDevice() throws Exception {
        Problem unsupported = t.problem("POST", "/v1/cameras/left/capture-on-device");
        assertEquals(501, unsupported.status());
        t.capture.onDevice = c -> "/store_00010001/DCIM/100CANON/IMG_0001.JPG";
        Map<String, Object> r = t.object(t.call("POST", "/v1/cameras/left/capture-on-device"));
        assertEquals(Map.of("camera", "left", "path", "/store_00010001/DCIM/100CANON/IMG_0001.JPG"), r);
    }

    @Test
    @SuppressWarnings("unchecked")
    void changesOnlyTheModeKeysOfTheConfiguration() throws Exception {
        t.configAdmin.stored(Fakes.PID, "left", Map.of("name", "left", "pattern", "noise", "width", 640,
                "height", 480, "fps", 30.0, "secret", "hunter2", "tags", new String[] {"a", "b"}));
        Map<String, Object> r = t.object(t.call("PUT", "/v1/cameras/left/mode",
                "{\"width\": 1280, \"height\": 720, \"fps\": 15}"));
        assertEquals(1280, ((Map<String, Object>) r.get("properties")).get("width"));
        Map<String, Object> stored = CameraConfigurations.properties(t.configAdmin.configurations.get(Fakes.PID + "~left"));
        assertEquals(1280, stored.get("width"));
        assertEquals(720, stored.get("height"));
        assertEquals(15.0, stored.get("fps"));
        assertEquals("noise", stored.get("pattern"), "other properties keep their value");
        assertEquals("hunter2", stored.get("secret"), "a password keeps its value");
        assertArrayEquals(new String[] {"a", "b"}, (String[]) stored.get("tags"));
    }

    @Test
    void modeChangesAreCheckedLikeAnUpdate() {
        t.configAdmin.stored(Fakes.PID, "left", Map.of("name", "left", "width", 640));
        Problem tooWide = t.problem("PUT", "/v1/cameras/left/mode", "{\"width\": 4000}");
        assertEquals(400, tooWide.status());
        assertEquals("width", tooWide.field());
        assertTrue(tooWide.detail().contains("exceeds 3840"), tooWide.detail());
        Problem other = t.problem("PUT", "/v1/cameras/left/mode", "{\"pattern\": \"bars\"}");
        assertEquals("pattern", other.field());
        assertTrue(other.detail().contains("format, width, height, fps"), other.detail());
        Problem format = t.problem("PUT", "/v1/cameras/left/mode", "{\"format\": \"MJPG\"}");
        assertEquals(400, format.status(), "the driver's form has no format property");
        assertEquals("format", format.field());
        assertEquals(400, t.problem("PUT", "/v1/cameras/left/mode", "{}").status());
        assertEquals(400, t.problem("PUT", "/v1/cameras/left/mode", "{\"width\": null}").status());
        assertEquals(400, t.problem("PUT", "/v1/cameras/left/mode", "{\"width\": \"wide\"}").status());
        assertEquals(640, CameraConfigurations.properties(t.configAdmin.configurations.get(Fakes.PID + "~left")).get("width"));
        assertEquals(404, t.problem("PUT", "/v1/cameras/nope/mode", "{\"width\": 800}").status());
        t.registry.camera(Fakes.status("builtin", "testpattern", CameraState.ONLINE));
        assertEquals(409, t.problem("PUT", "/v1/cameras/builtin/mode", "{\"width\": 800}").status());
    }
}
