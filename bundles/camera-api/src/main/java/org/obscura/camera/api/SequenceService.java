package org.obscura.camera.api;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Runs light-by-light capture sequences into image sets. Lights are switched off after every step and
 * whenever a sequence fails or is cancelled.
 */
@org.osgi.annotation.versioning.ProviderType
public interface SequenceService {

    /**
     * Validates and starts a sequence in the background.
     *
     * @param progress told of every step, on the sequence's thread; must not block
     * @return the final result, completed normally also on failure ({@link SequenceResult#success()} false)
     * @throws CameraException INVALID_ARGUMENT (empty sequence, unknown light, bad prefix), UNAVAILABLE
     *                         (no lights or camera), CONFLICT (a sequence is already running)
     */
    CompletionStage<SequenceResult> start(SequenceRequest request, Consumer<SequenceProgress> progress);
}
