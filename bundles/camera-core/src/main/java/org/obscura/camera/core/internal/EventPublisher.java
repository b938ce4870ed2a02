package org.obscura.camera.core.internal;

import java.util.Map;

/**
 * Where the core's components post {@link org.obscura.camera.api.ObscuraEvents}. Posting is asynchronous and
 * never blocks on handlers; {@code null} property values are left out.
 */
@FunctionalInterface
public interface EventPublisher {

    /** Posts nothing: for tests and for a server without Event Admin. */
    EventPublisher NONE = (topic, properties) -> {
    };

    void post(String topic, Map<String, ?> properties);
}
