package org.obscura.driver.testpattern.internal;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.function.Consumer;

import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

/**
 * Frames from a {@link JpegFolder}: each file's bytes passed through untouched as a {@link PixelFormat#JPEG}
 * frame, its size read from the file's header. Thread-safe, as the folder is.
 */
final class FolderSource implements FrameSource {

    private final JpegFolder folder;
    private final Consumer<JpegFolder.Image> shown;

    /** @param shown told of every image handed out, e.g. to keep the camera's mode up to date */
    FolderSource(JpegFolder folder, Consumer<JpegFolder.Image> shown) {
        this.folder = folder;
        this.shown = shown;
    }

    @Override
    public Frame next(long sequence, long monotonicNanos, Instant timestamp) {
        return frame(folder.next(), sequence, monotonicNanos, timestamp);
    }

    @Override
    public Frame still(long sequence, long monotonicNanos, Instant timestamp) {
        return frame(folder.current(), sequence, monotonicNanos, timestamp);
    }

    private Frame frame(JpegFolder.Image image, long sequence, long monotonicNanos, Instant timestamp) {
        shown.accept(image);
        // the array is never written after reading, so frames may share it
        return Frame.of(PixelFormat.JPEG, image.width(), image.height(), 0, sequence, monotonicNanos, timestamp,
                ByteBuffer.wrap(image.bytes()));
    }
}
