package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureResourceTest {

    @TempDir
    Path dir;
    private TestApi t;

    @BeforeEach
    void captures() throws Exception {
        t = new TestApi(dir);
        t.store.put("left", "left_20250102-030405-000.jpg", "JPEG-A", true);
        t.store.put("left", "left_20250102-030406-000.jpg", "JPEG-B", false);
        t.store.put("right", "right_20250102-030405-000.jpg", "JPEG-C", true);
    }

    @Test
    @SuppressWarnings("unchecked")
    void listsPagesNewestFirst() throws Exception {
        Map<String, Object> page = t.object(t.call("GET", "/v1/captures?camera=left&limit=1&offset=0"));
        assertEquals(2, page.get("total"));
        assertEquals(1, page.get("limit"));
        assertEquals(0, page.get("offset"));
        List<Object> items = (List<Object>) page.get("items");
        assertEquals("left_20250102-030406-000.jpg", ((Map<String, Object>) items.get(0)).get("file"));
        assertEquals(3, t.object(t.call("GET", "/v1/captures")).get("total"));
        assertEquals(50, t.object(t.call("GET", "/v1/captures")).get("limit"));
    }

    @Test
    void listParametersAreChecked() {
        assertEquals("limit", t.problem("GET", "/v1/captures?limit=0").field());
        assertEquals("limit", t.problem("GET", "/v1/captures?limit=1001").field());
        assertEquals("offset", t.problem("GET", "/v1/captures?offset=-1").field());
        assertEquals("camera", t.problem("GET", "/v1/captures?camera=../x").field());
    }

    @Test
    void servesTheImageAndItsSidecar() throws Exception {
        Reply.FileBody image = assertInstanceOf(Reply.FileBody.class,
                t.call("GET", "/v1/captures/left/left_20250102-030405-000.jpg"));
        assertEquals("image/jpeg", image.contentType());
        assertEquals("JPEG-A", Files.readString(image.path()));
        assertTrue(image.headers().get("Content-Disposition").startsWith("inline"));
        Reply.FileBody sidecar = assertInstanceOf(Reply.FileBody.class,
                t.call("GET", "/v1/captures/left/left_20250102-030405-000.jpg?sidecar=true"));
        assertEquals("application/json", sidecar.contentType());
        assertEquals("{\"camera\":\"left\"}", Files.readString(sidecar.path()));
        Reply.FileBody byName = assertInstanceOf(Reply.FileBody.class,
                t.call("GET", "/v1/captures/left/left_20250102-030405-000.jpg.json?download=1"));
        assertEquals(sidecar.path(), byName.path());
        assertTrue(byName.headers().get("Content-Disposition").startsWith("attachment"));
    }

    @Test
    void missingFilesAre404() {
        assertEquals(404, t.problem("GET", "/v1/captures/left/nothing.jpg").status());
        assertEquals(404, t.problem("GET", "/v1/captures/left/left_20250102-030406-000.jpg?sidecar=true").status());
        assertEquals(404, t.problem("GET", "/v1/captures/left/left_20250102-030406-000.jpg.json").status());
        assertEquals(400, t.problem("GET", "/v1/captures/left/.json").status());
        assertEquals(400, t.problem("GET", "/v1/captures/left/%2e%2e%2fsecret.jpg").status());
    }

    @Test
    void deletes() throws Exception {
        assertEquals(204, assertInstanceOf(Reply.Empty.class,
                t.call("DELETE", "/v1/captures/left/left_20250102-030405-000.jpg")).status());
        assertFalse(Files.exists(dir.resolve("captures/left/left_20250102-030405-000.jpg")));
        assertFalse(Files.exists(dir.resolve("captures/left/left_20250102-030405-000.jpg.json")));
        assertEquals(404, t.problem("DELETE", "/v1/captures/left/left_20250102-030405-000.jpg").status());
    }
}
