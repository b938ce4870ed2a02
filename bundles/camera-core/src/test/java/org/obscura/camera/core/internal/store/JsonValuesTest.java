package org.obscura.camera.core.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;

class JsonValuesTest {

    @Test
    void valuesBecomePlainJson() {
        Map<String, Object> in = new HashMap<>();
        in.put("mode", new Mode(PixelFormat.NV12, 640, 480, 30.0));
        in.put("at", Instant.EPOCH);
        in.put("samples", new int[] {1, 2});
        in.put("names", List.of("a", PixelFormat.GREY));
        in.put("nested", Arrays.asList(null, Optional.of(3)));
        in.put("counter", new AtomicLong(7));
        in.put("gone", null);

        Map<String, Object> out = JsonValues.plainMap(in);

        assertEquals(Map.of("format", "NV12", "width", 640, "height", 480, "fps", 30.0), out.get("mode"));
        assertEquals("1970-01-01T00:00:00Z", out.get("at"));
        assertEquals(List.of(1, 2), out.get("samples"));
        assertEquals(List.of("a", "GREY"), out.get("names"));
        assertEquals(Arrays.asList(null, 3), out.get("nested"));
        assertEquals("7", out.get("counter"));
        assertFalse(out.containsKey("gone"), "top-level nulls are left out");
    }
}
