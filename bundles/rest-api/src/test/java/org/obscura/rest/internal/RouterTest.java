package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouterTest {

    private final Router.Handler cameras = c -> Reply.ok("cameras");
    private final Router.Handler camera = c -> Reply.ok("camera");
    private final Router.Handler frame = c -> Reply.ok("frame");
    private final Router.Handler stereo = c -> Reply.ok("stereo");
    private final Router.Handler file = c -> Reply.ok("file");
    private final Router.Handler deleteCamera = c -> Reply.noContent();

    private final Router router = new Router()
            .add("GET", "/v1/cameras", cameras)
            .add("GET", "/v1/cameras/{camera}", camera)
            .add("DELETE", "/v1/cameras/{camera}", deleteCamera)
            .add("GET", "/v1/cameras/{camera}/frame", frame)
            .add("POST", "/v1/snapshot/stereo", stereo)
            .add("GET", "/v1/captures/{camera}/{file}", file);

    @Test
    void matchesLiteralAndParameterSegments() {
        assertSame(cameras, router.match("GET", "/v1/cameras").route().handler());
        Router.Match m = router.match("GET", "/v1/cameras/left/frame");
        assertSame(frame, m.route().handler());
        assertEquals(Map.of("camera", "left"), m.params());
        Router.Match f = router.match("GET", "/v1/captures/left/left_20250102-030405-000.jpg");
        assertEquals(Map.of("camera", "left", "file", "left_20250102-030405-000.jpg"), f.params());
    }

    @Test
    void headMatchesGetAndTrailingSlashIsIgnored() {
        assertSame(camera, router.match("HEAD", "/v1/cameras/left").route().handler());
        assertSame(cameras, router.match("GET", "/v1/cameras/").route().handler());
    }

    @Test
    void unknownPathIs404() {
        ApiException e = assertThrows(ApiException.class, () -> router.match("GET", "/v1/nothing"));
        assertEquals(404, e.problem().status());
        assertTrue(e.problem().detail().contains("/v1/nothing"), e.problem().detail());
        assertEquals(404, assertThrows(ApiException.class, () -> router.match("GET", "")).problem().status());
        assertEquals(404, assertThrows(ApiException.class, () -> router.match("GET", "/v1//cameras")).problem().status());
    }

    @Test
    void wrongMethodIs405WithAllow() {
        ApiException e = assertThrows(ApiException.class, () -> router.match("PUT", "/v1/cameras/left"));
        assertEquals(405, e.problem().status());
        assertEquals("DELETE, GET, HEAD, OPTIONS", e.headers().get("Allow"));
        assertEquals("OPTIONS, POST", router.allowed("/v1/snapshot/stereo"));
    }

    @Test
    void parametersAreDecodedOnce() {
        assertEquals("a b+c", Router.decode("a%20b+c"));
        assertEquals("é", Router.decode("%C3%A9"));
        assertEquals(List.of("v1", "a/b"), Router.segments("/v1/a%2Fb"));
        // Double encoding decodes to a literal '%', which no parameter accepts.
        assertEquals("%2e%2e", Router.decode("%252e%252e"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/cameras/%2e%2e/frame", "/v1/cameras/..%2Fetc/frame", "/v1/cameras/a%5Cb/frame",
            "/v1/cameras/a%00b/frame", "/v1/cameras/%252e%252e/frame", "/v1/cameras/Left/frame",
            "/v1/cameras/-x/frame", "/v1/cameras/a%0Ab/frame"})
    void badCameraNamesAre400NamingTheParameter(String path) {
        ApiException e = assertThrows(ApiException.class, () -> router.match("GET", path));
        assertEquals(400, e.problem().status(), path);
        assertEquals("camera", e.problem().field(), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/captures/left/..", "/v1/captures/left/%2e%2e", "/v1/captures/left/.hidden.jpg",
            "/v1/captures/left/a%2Fb.jpg", "/v1/captures/left/a%5C..%5Cb.jpg", "/v1/captures/left/x%2500.jpg",
            "/v1/captures/left/a..b.jpg", "/v1/captures/left/a%20b.jpg"})
    void badFileNamesAre400(String path) {
        ApiException e = assertThrows(ApiException.class, () -> router.match("GET", path));
        assertEquals(400, e.problem().status(), path);
        assertEquals("file", e.problem().field(), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/cameras/%zz", "/v1/cameras/abc%2", "/v1/cameras/%C3%28"})
    void malformedEncodingIs400(String path) {
        ApiException e = assertThrows(ApiException.class, () -> router.match("GET", path));
        assertEquals(400, e.problem().status(), path);
    }

    @Test
    void literalSegmentsMustMatchAfterDecoding() {
        assertSame(cameras, router.match("GET", "/v1/%63ameras").route().handler());
        // An encoded separator cannot join two literal segments.
        assertEquals(404, assertThrows(ApiException.class, () -> router.match("GET", "/v1%2Fcameras")).problem().status());
    }

    @Test
    void templatesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Router().add("GET", "v1", camera));
        assertThrows(IllegalArgumentException.class, () -> new Router().add("GET", "/v1/{nope}", camera));
        assertThrows(IllegalArgumentException.class, () -> new Router().add("GET", "/v1//x", camera));
    }

    @Test
    void newParameterKindsAreValidated() {
        Router r = new Router()
                .add("GET", "/v1/cameras/{camera}/settings/{setting}", camera)
                .add("PUT", "/v1/lights/{light}", camera)
                .add("GET", "/v1/sets/{set}/{file}", file)
                .add("GET", "/v1/sequences/{sequence}", camera);
        assertEquals(Map.of("camera", "left", "setting", "white_balance_temperature.auto"),
                r.match("GET", "/v1/cameras/left/settings/white_balance_temperature.auto").params());
        assertEquals(Map.of("set", "scan_20250102-030405", "file", "image_01_north.jpg"),
                r.match("GET", "/v1/sets/scan_20250102-030405/image_01_north.jpg").params());
        assertEquals("light", assertThrows(ApiException.class, () -> r.match("PUT", "/v1/lights/a.b")).problem().field());
        assertEquals("set", assertThrows(ApiException.class, () -> r.match("GET", "/v1/sets/a.b/x.jpg")).problem().field());
        assertEquals("sequence", assertThrows(ApiException.class, () -> r.match("GET", "/v1/sequences/%2e%2e")).problem().field());
        assertEquals("setting", assertThrows(ApiException.class,
                () -> r.match("GET", "/v1/cameras/left/settings/a..b")).problem().field());
        assertEquals(List.of("camera", "setting"), Router.parameters(r.routes().get(0)));
    }

    @Test
    void aRouteCannotBeAddedTwice() {
        assertThrows(IllegalArgumentException.class, () -> new Router().add("GET", "/v1/x", camera).add("GET", "/v1/x", file));
    }

    @Test
    void printableEscapesControlCharactersAndShortens() {
        assertEquals("a\\u000ab", Router.printable("a\nb"));
        assertEquals(83, Router.printable("x".repeat(200)).length());
    }
}
