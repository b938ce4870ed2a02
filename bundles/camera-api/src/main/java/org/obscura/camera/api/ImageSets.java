package org.obscura.camera.api;

import java.util.List;

/**
 * The image sets under {@code sets/} in the data dir: one folder per sequence,
 * {@code sets/<prefix>_<yyyyMMdd-HHmmss>/}, holding its images ({@code image_NN_<light>.jpg}) and a
 * {@code manifest.json}. Implemented by the sequencer, which writes them.
 *
 * <p>Set names are single folder names ({@code [A-Za-z0-9][A-Za-z0-9_-]*}); image paths are
 * {@code sets/<set>/<file>}. Nothing outside the sets folder is ever reachable through this service: other
 * names and paths are refused with INVALID_ARGUMENT, also when a symbolic link would lead out of it.
 * Thread-safe; methods block on file system I/O only.
 */
@org.osgi.annotation.versioning.ProviderType
public interface ImageSets {

    /** Every image set, newest first (by the time in its name, else its folder's modification time). */
    List<ImageSet> sets();

    /**
     * The files of one set, images first in step order, then {@code manifest.json}.
     *
     * @throws CameraException INVALID_ARGUMENT for a malformed name, NOT_FOUND when the set does not exist
     */
    List<ImageSetFile> contents(String set);

    /**
     * Deletes a set and every file in it. Refuses the set a sequence is writing now.
     *
     * @return whether it existed
     * @throws CameraException INVALID_ARGUMENT for a malformed name, CONFLICT while a sequence writes it, IO
     */
    boolean delete(String set);

    /**
     * Reads one file of a set.
     *
     * @param path {@code sets/<set>/<file>}, relative to the data dir
     * @throws CameraException INVALID_ARGUMENT for a path outside the sets folder or malformed, NOT_FOUND when
     *                         it does not exist, IO when it cannot be read
     */
    ImageData image(String path);
}
