package org.obscura.examples.httpmjpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

class MjpegReaderTest {

    private static byte[] body(String boundary, boolean lengths, boolean closing, byte[]... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(("--" + boundary + "\r\nContent-Type: image/jpeg\r\n"
                    + (lengths ? "Content-length: " + p.length + "\r\n" : "") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(p);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        if (closing) {
            out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        return out.toByteArray();
    }

    private static byte[] read(MjpegReader r) throws IOException {
        int n = r.next();
        return n < 0 ? null : Arrays.copyOf(r.part(), n);
    }

    @Test
    void boundaryFromContentType() {
        assertEquals("frame", MjpegReader.boundary("multipart/x-mixed-replace; boundary=frame"));
        assertEquals("x y", MjpegReader.boundary("multipart/x-mixed-replace;boundary=\"--x y\""));
        assertNull(MjpegReader.boundary("multipart/x-mixed-replace"));
        assertNull(MjpegReader.boundary(null));
    }

    @Test
    void readsPartsByLength() throws IOException {
        byte[] a = MjpegServer.jpeg(1);
        byte[] b = "\r\n--frame\r\n tricky bytes".getBytes(StandardCharsets.ISO_8859_1); // looks like a boundary
        MjpegReader r = new MjpegReader(new ByteArrayInputStream(body("frame", true, false, a, b)), "frame", 1 << 20);
        assertArrayEquals(a, read(r));
        assertArrayEquals(b, read(r));
        assertNull(read(r));
    }

    @Test
    void readsPartsWithoutLengthUpToTheBoundaryAndLearnsIt() throws IOException {
        byte[] a = MjpegServer.jpeg(1);
        byte[] b = MjpegServer.jpeg(2);
        MjpegReader r = new MjpegReader(new ByteArrayInputStream(body("b0und", false, true, a, b)), null, 1 << 20);
        assertArrayEquals(a, read(r));
        assertArrayEquals(b, read(r));
        assertNull(read(r), "closing boundary");
    }

    @Test
    void refusesOversizedPartsAndNonMultipartData() {
        byte[] big = new byte[100];
        assertThrows(IOException.class, () -> new MjpegReader(new ByteArrayInputStream(body("f", true, false, big)),
                "f", 50).next());
        assertThrows(IOException.class, () -> new MjpegReader(new ByteArrayInputStream(body("f", false, false, big)),
                "f", 50).next());
        byte[] html = "<html>\n".repeat(100).getBytes(StandardCharsets.ISO_8859_1);
        assertThrows(IOException.class, () -> new MjpegReader(new ByteArrayInputStream(html), null, 50).next());
    }

    @Test
    void aStreamCutInsideAPartIsAnError() throws IOException {
        byte[] whole = body("f", true, false, MjpegServer.jpeg(1));
        MjpegReader r = new MjpegReader(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 100)), "f", 1 << 20);
        assertThrows(IOException.class, r::next);
    }
}
