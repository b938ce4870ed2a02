package org.obscura.camera.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a capture from several cameras.
 *
 * @param mode      {@code "all"} or {@code "stereo"}
 * @param results   the stills taken, in capture order
 * @param errors    camera name to error message, for cameras that failed; the others' stills are kept
 * @param skewNanos for stereo: largest minus smallest capture timestamp among the results (monotonic clock),
 *                  {@code null} otherwise or with fewer than two results
 * @param started   when the batch started
 * @param finished  when it finished
 */
public record BatchResult(String mode, List<CaptureResult> results, Map<String, String> errors, Long skewNanos,
        Instant started, Instant finished) {
    public BatchResult {
        results = List.copyOf(results);
        errors = Map.copyOf(errors);
    }

    /** Whether every camera succeeded. */
    public boolean success() {
        return errors.isEmpty() && !results.isEmpty();
    }
}
