package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;

class JsonAndProblemTest {

    private final JsonCodec json = new JsonCodec();

    @ParameterizedTest
    @CsvSource({"INVALID_ARGUMENT,400", "NOT_FOUND,404", "CONFLICT,409", "BUSY,503", "UNAVAILABLE,503",
            "UNSUPPORTED,501", "TIMEOUT,504", "IO,502"})
    void everyKindHasItsStatus(Kind kind, int status) {
        Problem p = Problem.of(new CameraException(kind, "what happened"));
        assertEquals(status, p.status());
        assertEquals("what happened", p.detail());
        assertTrue(p.type().startsWith("urn:obscura:problem:"), p.type());
    }

    @Test
    void problemBodyHasTheStandardMembersAndFieldOnlyWhenSet() throws Exception {
        Map<String, Object> withField = parse(json.write(Problem.of(CameraException.invalid("width", "width 5000 exceeds 3840")).body()));
        assertEquals(Map.of("type", "urn:obscura:problem:invalid-argument", "title", "Invalid argument", "status", 400,
                "detail", "width 5000 exceeds 3840", "field", "width"), withField);
        Map<String, Object> without = parse(json.write(Problem.notFound("no camera 'x'").body()));
        assertFalse(without.containsKey("field"));
        assertEquals("no camera 'x'", without.get("detail"));
        Map<String, Object> extended = parse(json.write(Problem.notFound("x").with("errorId", "abc").body()));
        assertEquals("abc", extended.get("errorId"));
    }

    @Test
    void blankMessagesGetADefaultDetail() {
        assertEquals("the device is busy", Problem.of(new CameraException(Kind.BUSY, " ")).detail());
    }

    @Test
    void instantsAreIsoStringsAndRecordsSerialise() throws Exception {
        Views.SnapshotView v = new Views.SnapshotView("left", "f.jpg", "captures/left/f.jpg", "/u", null, 10, 640, 480,
                Instant.parse("2025-01-02T03:04:05.678Z"));
        String text = new String(json.write(v), StandardCharsets.UTF_8);
        assertTrue(text.contains("\"timestamp\":\"2025-01-02T03:04:05.678Z\""), text);
        assertTrue(text.contains("\"sidecar\":null"), text);
        Views.BatchView b = new Views.BatchView("stereo", true, List.of(v), Map.of(), 1.5, Instant.EPOCH, Instant.EPOCH);
        String batch = new String(json.write(b), StandardCharsets.UTF_8);
        assertTrue(batch.contains("\"skew_ms\":1.5"), batch);
        assertTrue(batch.contains("\"started\":\"1970-01-01T00:00:00Z\""), batch);
    }

    @Test
    void readsObjects() {
        Map<String, Object> m = json.readObject("{\"a\": 1, \"b\": [true, \"x\"], \"c\": null, \"d\": 2.5}".getBytes());
        assertEquals(1, m.get("a"));
        assertEquals(List.of(true, "x"), m.get("b"));
        assertTrue(m.containsKey("c"));
        assertNull(m.get("c"));
        assertEquals(2.5, m.get("d"));
    }

    @Test
    void malformedJsonIs400WithAPosition() {
        ApiException e = assertThrows(ApiException.class, () -> json.readObject("{\"a\": }".getBytes()));
        assertEquals(400, e.problem().status());
        assertTrue(e.problem().detail().startsWith("malformed JSON at line 1"), e.problem().detail());
    }

    @Test
    void nonObjectsDuplicatesAndTrailingContentAre400() {
        assertTrue(problem("[1,2]").contains("not an array"));
        assertTrue(problem("\"x\"").contains("not a string"));
        assertTrue(problem("{\"a\":1,\"a\":2}").contains("Duplicate field"), problem("{\"a\":1,\"a\":2}"));
        assertTrue(problem("{\"a\":1} {}").startsWith("malformed JSON"));
        assertTrue(problem("{\"a\":1").startsWith("malformed JSON"));
        assertTrue(problem("\u0000").startsWith("malformed JSON"));
    }

    private String problem(String body) {
        ApiException e = assertThrows(ApiException.class, () -> json.readObject(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.problem().status());
        return e.problem().detail();
    }

    @Test
    void queryParametersAreDecodedOnceAndTheFirstWins() {
        Map<String, String> q = Call.parseQuery("camera=left&x=a%2Bb+c&camera=right&flag&=empty&&");
        assertEquals("left", q.get("camera"));
        assertEquals("a+b c", q.get("x"));
        assertEquals("", q.get("flag"));
        assertEquals("%41", Call.parseQuery("v=%2541").get("v"));
        ApiException e = assertThrows(ApiException.class, () -> Call.parseQuery("a=%zz"));
        assertEquals(400, e.problem().status());
    }

    @Test
    void typedQueryParametersAreCheckedAndNamed() {
        Call c = new Call("GET", Map.of(), "quality=101&fps=abc&limit=5&sidecar=maybe&offset=-1&big=99999999999", null,
                "/api", json);
        assertEquals("quality", assertThrows(ApiException.class, () -> c.intQuery("quality", 1, 100, null)).problem().field());
        assertEquals("fps", assertThrows(ApiException.class, () -> c.doubleQuery("fps", 0.1, 120, null)).problem().field());
        assertEquals("sidecar", assertThrows(ApiException.class, () -> c.booleanQuery("sidecar", false)).problem().field());
        assertEquals("offset", assertThrows(ApiException.class, () -> c.intQuery("offset", 0, 10, 0)).problem().field());
        assertEquals("big", assertThrows(ApiException.class, () -> c.intQuery("big", 0, Integer.MAX_VALUE, 0)).problem().field());
        assertEquals(5, c.intQuery("limit", 1, 1000, 50));
        assertEquals(50, c.intQuery("absent", 1, 1000, 50));
    }

    @Test
    void missingBodyIs400AndOptionalBodyMayBeEmpty() {
        Call empty = new Call("POST", Map.of(), null, () -> new byte[0], "/api", json);
        assertEquals(400, assertThrows(ApiException.class, empty::jsonObject).problem().status());
        assertEquals(Map.of(), new Call("POST", Map.of(), null, () -> " \n".getBytes(), "/api", json).optionalJsonObject());
        Call broken = new Call("POST", Map.of(), null, () -> {
            throw new java.io.IOException("connection reset");
        }, "/api", json);
        ApiException e = assertThrows(ApiException.class, broken::jsonObject);
        assertEquals(400, e.problem().status());
        assertTrue(e.problem().detail().contains("connection reset"));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> parse(byte[] bytes) {
        return (Map<String, Object>) (Map<?, ?>) json.readObject(bytes);
    }
}
