package org.obscura.camera.spi.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

class BufferPoolTest {

    @Test
    void boundsBuffersAndRecyclesOnLastRelease() {
        BufferPool pool = new BufferPool(2);
        ByteBuffer a = pool.acquire(8);
        ByteBuffer b = pool.acquire(8);
        assertNull(pool.acquire(8), "both buffers are in use");
        a.put(new byte[] { 1, 2, 3 });
        Frame f = pool.frame(a, PixelFormat.JPEG, 2, 2, 0, 1, 0, Instant.EPOCH);
        assertEquals(3, f.length());
        assertArrayEquals(new byte[] { 1, 2, 3 }, f.toByteArray());
        f.retain();
        f.release();
        assertNull(pool.acquire(8), "still held by one reference");
        f.release();
        assertSame(a, pool.acquire(4));
        pool.recycle(b);
        assertEquals(2, pool.allocated());
    }

    @Test
    void growsAFreeBufferThatIsTooSmall() {
        BufferPool pool = new BufferPool(1);
        ByteBuffer small = pool.acquire(4);
        pool.recycle(small);
        ByteBuffer big = pool.acquire(100);
        assertNotNull(big);
        assertTrue(big.capacity() >= 100);
        assertEquals(1, pool.allocated());
        assertNull(pool.acquire(1));
    }
}
