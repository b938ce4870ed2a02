package org.obscura.ws.internal;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.ImageSets;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.SequenceService;

/**
 * The services the actions use. The core ones are always there; lights, sequences and image sets come from
 * optional bundles and may appear and go at any time (dynamic references), so each action reads them once,
 * when it starts, and answers "not available" while they are missing.
 */
final class Services {

    final CameraRegistry registry;
    final CaptureService capture;
    final ImageStore store;
    final AtomicReference<LightController> lights = new AtomicReference<>();
    final AtomicReference<SequenceService> sequences = new AtomicReference<>();
    final AtomicReference<ImageSets> imageSets = new AtomicReference<>();

    Services(CameraRegistry registry, CaptureService capture, ImageStore store) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.capture = Objects.requireNonNull(capture, "capture");
        this.store = Objects.requireNonNull(store, "store");
    }

    /** @throws CameraException UNAVAILABLE when no lights bundle runs */
    LightController lights() {
        return required(lights, "Lights are not available: no light controller is running.");
    }

    /** @throws CameraException UNAVAILABLE when no sequencer runs */
    SequenceService sequences() {
        return required(sequences, "Photometric sequences are not available: no sequencer is running.");
    }

    /** @throws CameraException UNAVAILABLE when no image-set service runs */
    ImageSets imageSets() {
        return required(imageSets, "Image sets are not available: no image-set service is running.");
    }

    private static <T> T required(AtomicReference<T> ref, String missing) {
        T service = ref.get();
        if (service == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, missing);
        }
        return service;
    }
}
