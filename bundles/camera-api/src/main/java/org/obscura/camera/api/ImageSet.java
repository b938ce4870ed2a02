package org.obscura.camera.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One image set.
 *
 * @param name       folder name, e.g. {@code scan_20261120-101530}
 * @param path       folder relative to the data dir, e.g. {@code sets/scan_20261120-101530}
 * @param created    when the sequence started (from the name, else the folder's modification time)
 * @param imageCount number of images in it
 * @param status     the manifest's status ({@code running}, {@code complete}, {@code failed}), or {@code null}
 *                   when it has no readable manifest
 */
public record ImageSet(String name, String path, Instant created, int imageCount, String status) {
    public ImageSet {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
    }
}
