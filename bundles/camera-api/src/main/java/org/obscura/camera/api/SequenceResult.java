package org.obscura.camera.api;

import java.util.List;

/**
 * The end of a sequence. On failure, the images captured before it are kept and listed.
 *
 * @param success   whether every step succeeded
 * @param message   a sentence on the outcome
 * @param setFolder the set folder relative to the data dir
 * @param images    the images written, relative to the data dir, in order
 * @param error     what went wrong, or {@code null}
 */
public record SequenceResult(boolean success, String message, String setFolder, List<String> images, String error) {
    public SequenceResult {
        images = images == null ? List.of() : List.copyOf(images);
    }
}
