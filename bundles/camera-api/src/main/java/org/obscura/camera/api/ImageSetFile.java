package org.obscura.camera.api;

import java.util.Objects;

/**
 * A file in an image set.
 *
 * @param file     file name, e.g. {@code image_01_front.jpg}
 * @param path     path relative to the data dir, e.g. {@code sets/scan_20261120-101530/image_01_front.jpg}
 * @param size     size in bytes
 * @param mimeType e.g. {@code image/jpeg}, {@code application/json}
 */
public record ImageSetFile(String file, String path, long size, String mimeType) {
    public ImageSetFile {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
    }
}
