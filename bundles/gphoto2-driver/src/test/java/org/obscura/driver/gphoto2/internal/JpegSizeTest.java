package org.obscura.driver.gphoto2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class JpegSizeTest {

    @Test
    void readsTheSizeOfARealJpeg() throws Exception {
        byte[] jpeg = TestImages.jpeg(321, 123, 7);
        assertEquals(new JpegSize(321, 123), JpegSize.of(jpeg, jpeg.length));
    }

    @Test
    void refusesWhatIsNotAJpeg() throws Exception {
        byte[] jpeg = TestImages.jpeg(64, 48, 1);
        assertNull(JpegSize.of(new byte[0], 0));
        assertNull(JpegSize.of("II*\0 raw file".getBytes(), 12));
        assertNull(JpegSize.of(jpeg, 20)); // truncated before the frame header
        byte[] broken = Arrays.copyOf(jpeg, jpeg.length);
        broken[2] = 0x12; // first marker lost
        assertNull(JpegSize.of(broken, broken.length));
    }
}
