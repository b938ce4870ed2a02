package org.obscura.examples.httpmjpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;

class StreamSourceTest {

    private static String field(Map<String, Object> p) {
        return assertThrows(CameraException.class, () -> StreamSource.parse(p)).field();
    }

    @Test
    void defaultsAndCredentialsFromTheUrl() {
        StreamSource s = StreamSource.parse(Map.of("url", "http://user:pw@cam.local:81/stream"));
        assertEquals("http://cam.local:81/stream", s.toString());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("user:pw".getBytes(StandardCharsets.UTF_8)),
                s.authorization());
        assertEquals(0, s.fps());
        assertEquals(3, s.reconnectAttempts());
        assertNull(StreamSource.parse(Map.of("url", "https://cam/s")).authorization());
    }

    @Test
    void namesTheFieldAtFault() {
        assertEquals("url", field(Map.of()));
        assertEquals("url", field(Map.of("url", "ftp://cam/stream")));
        assertEquals("url", field(Map.of("url", "http://bad host/")));
        assertEquals("fps", field(Map.of("url", "http://cam/", "fps", "fast")));
        assertEquals("fps", field(Map.of("url", "http://cam/", "fps", -1)));
        assertEquals("read.timeout.seconds", field(Map.of("url", "http://cam/", "read.timeout.seconds", 0)));
        assertEquals("reconnect.attempts", field(Map.of("url", "http://cam/", "reconnect.attempts", "x")));
    }

    @Test
    void theDriverValidatesNameAndUrl() {
        HttpMjpegDriver driver = new HttpMjpegDriver(new HttpMjpegDriver.Config() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return HttpMjpegDriver.Config.class;
            }

            @Override
            public String[] urls() {
                return new String[] { "http://esp32.local:81/stream", "not a url", " " };
            }
        });
        assertEquals("name", assertThrows(CameraException.class,
                () -> driver.validate(Map.of("name", "Bad Name", "url", "http://cam/"))).field());
        assertEquals("url", assertThrows(CameraException.class, () -> driver.validate(Map.of("name", "cam"))).field());
        driver.validate(Map.of("name", "cam", "url", "http://cam/"));
        assertEquals(1, driver.discover().size());
        assertEquals("http://esp32.local:81/stream", driver.discover().get(0).device());
    }
}
