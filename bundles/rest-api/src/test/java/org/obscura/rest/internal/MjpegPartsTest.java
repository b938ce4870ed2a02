package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.junit.jupiter.api.Test;

class MjpegPartsTest {

    private final MjpegParts parts = new MjpegParts();

    @Test
    void viewersOfOneCameraAndQualityShareOnePartPerFrame() {
        MjpegParts.Slot a = parts.open("left", 0);
        MjpegParts.Slot b = parts.open("left", 0);
        Fakes.Live frame = new Fakes.Live(7, false, "ONE");
        MjpegParts.Part first = a.part(frame, frame.jpeg());
        MjpegParts.Part second = b.part(frame, frame.jpeg());
        assertSame(first, second, "built once for both viewers");
        assertEquals("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 3\r\n"
                + "X-Timestamp: 2025-01-02T03:04:05.678Z\r\nX-Frame-Index: 7\r\n\r\nONE\r\n", text(first.view()));
        assertTrue(first.view().isDirect() && first.view().isReadOnly());

        ByteBuffer one = first.view();
        one.get(new byte[10]);
        assertEquals(0, first.view().position(), "each view has its own position");

        MjpegParts.Slot other = parts.open("left", 50);
        assertNotSame(first, other.part(frame, frame.jpeg(50)), "another quality has parts of its own");
        assertEquals(2, parts.openSlots());
    }

    @Test
    void placeholdersAreMarkedAndANewFrameGetsANewPart() {
        MjpegParts.Slot s = parts.open("left", 0);
        Fakes.Live picture = new Fakes.Live(7, false, "ONE");
        Fakes.Live placeholder = new Fakes.Live(8, true, "NOSIGNAL");
        MjpegParts.Part p = s.part(picture, picture.jpeg());
        MjpegParts.Part q = s.part(placeholder, placeholder.jpeg());
        assertNotSame(p, q);
        assertEquals("--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 8\r\n"
                + "X-Timestamp: 2025-01-02T03:04:05.678Z\r\nX-Frame-Index: 8\r\nX-Placeholder: true\r\n\r\n"
                + "NOSIGNAL\r\n", text(q.view()));
    }

    @Test
    void aBufferIsReusedOnlyWhenTheSlotAndEveryViewerHaveReleasedIt() {
        MjpegParts.Slot s = parts.open("left", 0);
        Fakes.Live seven = new Fakes.Live(7, false, "SEVEN");
        MjpegParts.Part p = s.part(seven, seven.jpeg());   // viewer 1
        MjpegParts.Part same = s.part(seven, seven.jpeg()); // viewer 2
        p.release();
        Fakes.Live eight = new Fakes.Live(8, false, "EIGHT");
        MjpegParts.Part next = s.part(eight, eight.jpeg()); // the slot lets go of 7; viewer 2 still writes it
        assertEquals(0, parts.freeBuffers(), "a viewer still holds frame 7's buffer");
        assertEquals("SEVEN", text(same.view()).substring(text(same.view()).length() - 7, text(same.view()).length() - 2));

        same.release();
        assertEquals(1, parts.freeBuffers(), "the last release returns the buffer");
        Fakes.Live nine = new Fakes.Live(9, false, "NINE");
        next.release();
        MjpegParts.Part reused = s.part(nine, nine.jpeg());
        assertEquals(1, parts.freeBuffers(), "frame 9 took frame 7's buffer, frame 8's came back");
        assertTrue(text(reused.view()).endsWith("X-Frame-Index: 9\r\n\r\nNINE\r\n"), text(reused.view()));
        assertThrows(IllegalStateException.class, () -> {
            p.release();
        }, "frame 7's part was released once too often");
    }

    @Test
    void theLastViewerOutDropsTheSlotAndItsPart() {
        MjpegParts.Slot a = parts.open("left", 0);
        MjpegParts.Slot b = parts.open("left", 0);
        Fakes.Live frame = new Fakes.Live(1, false, "X");
        a.part(frame, frame.jpeg()).release();
        a.close();
        assertEquals(1, parts.openSlots(), "another viewer still uses the slot");
        assertEquals(0, parts.freeBuffers());
        b.close();
        assertEquals(0, parts.openSlots());
        assertEquals(1, parts.freeBuffers(), "the slot's newest part went back");

        // A viewer ending while its writer builds one more part: that part is its alone.
        MjpegParts.Slot c = parts.open("left", 0);
        c.close();
        MjpegParts.Part late = c.part(frame, frame.jpeg());
        late.release();
        assertEquals(1, parts.freeBuffers(), "nothing kept by the closed slot; the buffer is back");
    }

    @Test
    void jettysOutputTakesTheSharedBufferAndAPlainOutputGetsCopies() {
        assertTrue(MjpegStream.writesSharedBuffers(HttpOutput.class));
        assertFalse(MjpegStream.writesSharedBuffers(ArrayOnlyOutput.class));
    }

    private static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.US_ASCII);
    }

    /** A Servlet 6.0 output: arrays only. */
    public static final class ArrayOnlyOutput extends ServletOutputStream {
        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }

        @Override
        public void write(int b) throws IOException {
        }
    }
}
