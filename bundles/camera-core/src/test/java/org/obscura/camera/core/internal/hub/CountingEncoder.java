package org.obscura.camera.core.internal.hub;

import java.util.concurrent.atomic.AtomicInteger;

import org.obscura.camera.api.Frame;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;

/** Encodes with the standard encoder and counts the calls; can be slowed so that concurrent callers overlap. */
final class CountingEncoder implements JpegEncoder {

    final AtomicInteger calls = new AtomicInteger();
    volatile long delayMillis;

    @Override
    public byte[] encode(Frame frame, int quality) {
        calls.incrementAndGet();
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return JpegEncoder.standard().encode(frame, quality);
    }
}
