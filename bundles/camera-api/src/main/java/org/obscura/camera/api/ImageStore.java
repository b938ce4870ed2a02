package org.obscura.camera.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The files under the data dir: captures and their sidecars (and, later, image sets). Every path it
 * accepts is resolved inside the data dir; names with separators, {@code ..}, NUL or absolute paths are
 * refused. Every write is atomic: a temporary file in the same folder, then a rename, so a crash never
 * leaves a half file that looks whole.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ImageStore {

    /** The data dir, absolute and normalised. */
    Path root();

    /**
     * Resolves a '/'-separated relative path inside the data dir.
     *
     * @throws CameraException INVALID_ARGUMENT when it is absolute, contains {@code ..}, NUL or
     *                         backslashes, or would leave the data dir
     */
    Path resolve(String relative);

    /**
     * Writes a file atomically (temporary file, fsync, rename), creating parent folders.
     *
     * @param relative '/'-separated path inside the data dir
     * @return the file written
     * @throws CameraException INVALID_ARGUMENT for a bad path, IO when writing fails (nothing is left behind)
     */
    Path write(String relative, byte[] content);

    /**
     * Stores a still as {@code captures/<camera>/<camera>_<yyyyMMdd-HHmmss-SSS>.jpg} plus a
     * {@code .json} sidecar holding its metadata and the {@code extra} entries.
     */
    CaptureResult store(CapturedImage image, Map<String, Object> extra);

    /**
     * Stored captures, newest first.
     *
     * @param camera only this camera's, or {@code null} for all
     * @param offset index of the first to return, at least 0
     * @param limit  how many at most, 1 to 1000
     * @throws CameraException INVALID_ARGUMENT for a bad camera name, offset or limit
     */
    Page<StoredCapture> captures(String camera, int offset, int limit);

    /** One stored capture, if it exists. Refuses bad names with INVALID_ARGUMENT. */
    Optional<StoredCapture> capture(String camera, String file);

    /**
     * Deletes a capture and its sidecar.
     *
     * @return whether it existed
     */
    boolean deleteCapture(String camera, String file);
}
