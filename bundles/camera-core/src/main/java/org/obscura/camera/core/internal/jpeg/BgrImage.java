package org.obscura.camera.core.internal.jpeg;

/**
 * Packed 8-bit B, G, R pixels, row after row with no padding ({@code width * height * 3} bytes). The array is
 * owned by whoever holds the record; nobody writes it after handing it on.
 */
public record BgrImage(int width, int height, byte[] pixels) {

    public BgrImage {
        if (width <= 0 || height <= 0 || pixels.length < width * height * 3) {
            throw new IllegalArgumentException("bad BGR image " + width + "x" + height + " with " + pixels.length + " bytes");
        }
    }
}
