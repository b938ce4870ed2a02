package org.obscura.camera.api;

import java.util.Objects;

/**
 * The content of a stored file.
 *
 * @param file     file name
 * @param path     path relative to the data dir
 * @param mimeType e.g. {@code image/jpeg}
 * @param data     the file's bytes (a fresh copy; the holder may keep it)
 */
public record ImageData(String file, String path, String mimeType, byte[] data) {
    public ImageData {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mimeType, "mimeType");
        Objects.requireNonNull(data, "data");
    }
}
