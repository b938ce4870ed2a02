package org.obscura.camera.api;

/**
 * Progress of a running sequence.
 *
 * @param status       {@code "started"}, {@code "capturing"}, {@code "captured"}, {@code "completed"} or {@code "failed"}
 * @param step         1-based step, 0 before the first
 * @param total        number of steps
 * @param currentLight the light of this step, or {@code null}
 * @param setFolder    the set folder relative to the data dir
 * @param errorDetail  what went wrong, for {@code "failed"}
 */
public record SequenceProgress(String status, int step, int total, String currentLight, String setFolder,
        String errorDetail) {
}
