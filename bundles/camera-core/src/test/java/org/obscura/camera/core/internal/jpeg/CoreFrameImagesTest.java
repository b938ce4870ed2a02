package org.obscura.camera.core.internal.jpeg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;

/** Runs with the codec JpegCodecs picks here (native when installed), and with the pure-Java one. */
class CoreFrameImagesTest {

    private JpegCodec codec;

    private CoreFrameImages images(boolean java) {
        codec = java ? ImageIoJpegEncoder.INSTANCE : JpegCodecs.open();
        return new CoreFrameImages(codec);
    }

    @AfterEach
    void close() {
        codec.close();
    }

    private static BufferedImage read(ByteBuffer data) throws IOException {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    private static Frame jpegFrame(CoreFrameImages images, int w, int h) {
        Frame raw = Pictures.quadrants(PixelFormat.BGR24, w, h, 0, false);
        ByteBuffer jpeg = images.jpeg(raw, w, h, 95);
        byte[] bytes = new byte[jpeg.remaining()];
        jpeg.get(bytes);
        return Frame.jpeg(w, h, 1, bytes);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void smallJpegFromAJpegFrame(boolean java) throws IOException {
        CoreFrameImages images = images(java);
        Frame frame = jpegFrame(images, 640, 480);
        BufferedImage small = read(images.jpeg(frame, 320, 320, 80));
        assertEquals(320, small.getWidth());
        assertEquals(320, small.getHeight());
        Frame raw = Pictures.quadrants(PixelFormat.BGR24, 640, 480, 0, false);
        Pictures.assertSimilar(RawImages.toImage(CoreFrameImages.resize(RawImages.toBgr(raw), 320, 320)), small, 14);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void smallJpegFromARawFrame(boolean java) throws IOException {
        CoreFrameImages images = images(java);
        Frame frame = Pictures.quadrants(PixelFormat.YUYV, 64, 48, 8, true);
        BufferedImage small = read(images.jpeg(frame, 32, 20, 90));
        assertEquals(32, small.getWidth());
        assertEquals(20, small.getHeight());
        Pictures.assertSimilar(RawImages.toImage(CoreFrameImages.resize(RawImages.toBgr(frame), 32, 20)), small, 12);
        BufferedImage full = read(images.jpeg(frame, 64, 48, 90));
        Pictures.assertSimilar(RawImages.toImage(frame), full, 10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"YUYV", "UYVY", "NV12", "GREY", "RGB24", "BGR24"})
    void pngIsLosslessAndRawIsPackedBgr(String name) throws IOException {
        CoreFrameImages images = images(false);
        Frame frame = Pictures.quadrants(PixelFormat.valueOf(name), 30, 21, 6, false);
        ByteBuffer bgr = images.bgr(frame);
        assertEquals(30 * 21 * 3, bgr.remaining());
        byte[] expected = RawImages.toBgr(frame).pixels();
        byte[] actual = new byte[bgr.remaining()];
        bgr.get(actual);
        assertArrayEquals(expected, actual);
        BufferedImage png = read(images.png(frame));
        assertEquals(30, png.getWidth());
        assertArrayEquals(expected, RawImages.toBgr(png).pixels(), "PNG is lossless");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rawFromAJpegFrameIsTheDecodedPicture(boolean java) throws IOException {
        CoreFrameImages images = images(java);
        Frame frame = jpegFrame(images, 48, 32);
        ByteBuffer bgr = images.bgr(frame);
        assertEquals(48 * 32 * 3, bgr.remaining());
        byte[] pixels = new byte[bgr.remaining()];
        bgr.get(pixels);
        Pictures.assertSimilar(RawImages.toImage(Pictures.quadrants(PixelFormat.BGR24, 48, 32, 0, false)),
                RawImages.toImage(new BgrImage(48, 32, pixels)), 10);
        assertEquals(48, read(images.png(frame)).getWidth());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0,10,80,width", "-1,10,80,width", "65,10,80,width", "10,0,80,height", "10,49,80,height",
            "10,10,0,quality", "10,10,101,quality"})
    void refusesSizesAndQualitiesOutOfRange(String input) {
        String[] p = input.split(",");
        CoreFrameImages images = images(false);
        Frame frame = Pictures.quadrants(PixelFormat.GREY, 64, 48, 0, false);
        CameraException e = assertThrows(CameraException.class,
                () -> images.jpeg(frame, Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        assertEquals(p[3], e.field());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void reportsTheCodec(boolean java) {
        CoreFrameImages images = images(java);
        assertEquals(codec.name(), images.jpegCodec());
        assertEquals(codec.fallback(), images.jpegFallback());
    }
}
