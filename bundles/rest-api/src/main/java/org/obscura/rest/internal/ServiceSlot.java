package org.obscura.rest.internal;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.obscura.camera.api.CameraException;

/**
 * An optional service that comes and goes while the API runs (lights, sequencer, image sets): bound and
 * unbound by the component's dynamic reference, read by handlers on every call, so the routes work as soon as
 * the service appears and answer 503 when it is gone, without a restart.
 *
 * <p>Thread-safe. A greedy reference binds the better service before unbinding the old one; unbinding only
 * clears the slot when it still holds that service.
 */
final class ServiceSlot<T> {

    private final AtomicReference<T> service = new AtomicReference<>();
    private final String unavailable;

    /** @param unavailable the message of the 503 answered while no service is bound */
    ServiceSlot(String unavailable) {
        this.unavailable = unavailable;
    }

    void bind(T s) {
        service.set(s);
    }

    void unbind(T s) {
        service.compareAndSet(s, null);
    }

    Optional<T> current() {
        return Optional.ofNullable(service.get());
    }

    /**
     * The service now.
     *
     * @throws CameraException UNAVAILABLE (503) when none is bound
     */
    T require() {
        T s = service.get();
        if (s == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE, unavailable);
        }
        return s;
    }
}
