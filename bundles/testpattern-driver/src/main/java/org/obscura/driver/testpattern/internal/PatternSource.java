package org.obscura.driver.testpattern.internal;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Supplier;

import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.driver.testpattern.internal.PatternRenderer.Look;

/**
 * Draws frames with a {@link PatternRenderer} and delivers them as YUYV (converted into pooled direct
 * buffers: no allocation per frame) or as JPEG (encoded with ImageIO at the configured quality).
 *
 * <p>Not thread-safe: the renderer, converter and encoder are reused. A camera has one per stream and one
 * for stills.
 */
final class PatternSource implements FrameSource {

    /** Pooled buffers per stream; see {@link FramePool}. */
    static final int POOL_CAPACITY = 4;

    private final PixelFormat format;
    private final Supplier<Look> look;
    private final PatternRenderer renderer;
    private final YuyvConverter yuyv;
    private final JpegEncoder jpeg;
    private final FramePool pool;

    /** @param look read once per frame, so that setting changes show in the next frame */
    PatternSource(CameraSetup setup, Supplier<Look> look, ZoneId zone) {
        this.format = setup.format();
        this.look = look;
        this.renderer = new PatternRenderer(setup.width(), setup.height(), PatternRenderer.title(setup), zone);
        if (format == PixelFormat.YUYV) {
            yuyv = new YuyvConverter(setup.width(), setup.height());
            pool = new FramePool(yuyv.frameLength(), POOL_CAPACITY);
            jpeg = null;
        } else {
            yuyv = null;
            pool = null;
            jpeg = new JpegEncoder(setup.jpegQuality());
        }
    }

    @Override
    public Frame next(long sequence, long monotonicNanos, Instant timestamp) {
        if (format == PixelFormat.JPEG) {
            return still(sequence, monotonicNanos, timestamp);
        }
        ByteBuffer buffer = pool.acquire();
        if (buffer == null) {
            return null;
        }
        renderer.render(look.get(), sequence, timestamp);
        yuyv.convert(renderer.pixels(), buffer);
        buffer.flip();
        return Frame.pooled(PixelFormat.YUYV, renderer.width(), renderer.height(), renderer.width() * 2, sequence,
                monotonicNanos, timestamp, buffer, readOnlyView -> pool.recycle(buffer));
    }

    @Override
    public Frame still(long sequence, long monotonicNanos, Instant timestamp) {
        BufferedImage image = renderer.render(look.get(), sequence, timestamp);
        ByteBuffer data;
        if (format == PixelFormat.JPEG) {
            data = ByteBuffer.wrap(jpeg.encode(image));
        } else {
            data = ByteBuffer.allocate(yuyv.frameLength());
            yuyv.convert(renderer.pixels(), data);
            data.flip();
        }
        return Frame.of(format, renderer.width(), renderer.height(), format == PixelFormat.YUYV ? renderer.width() * 2 : 0,
                sequence, monotonicNanos, timestamp, data);
    }

    /** Buffers the stream's pool has allocated (0 for JPEG, which is not pooled). */
    int pooledBuffers() {
        return pool == null ? 0 : pool.allocated();
    }
}
