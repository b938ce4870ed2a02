package org.obscura.camera.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A capture file in the image store.
 *
 * @param camera    camera name (the folder under {@code captures/})
 * @param file      file name, e.g. {@code left_20261120-101530-123.jpg}
 * @param path      path relative to the data dir, '/'-separated, e.g. {@code captures/left/left_...jpg}
 * @param url       URL path that serves it, e.g. {@code /api/v1/captures/left/left_...jpg}
 * @param sidecar   path of its JSON sidecar relative to the data dir, or {@code null} when it has none
 * @param size      file size in bytes
 * @param timestamp capture time (from the sidecar, else the file's modification time)
 */
public record StoredCapture(String camera, String file, String path, String url, String sidecar, long size,
        Instant timestamp) {
    public StoredCapture {
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
    }
}
