package org.obscura.camera.core.internal;

import java.util.HashMap;
import java.util.Map;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts through whichever Event Admin a component is bound to right now (an optional, dynamic reference): with
 * none, events are dropped. Components own one and forward their bind/unbind calls to it.
 */
public final class EventAdminPublisher implements EventPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(EventAdminPublisher.class);

    private volatile EventAdmin eventAdmin;

    public synchronized void bind(EventAdmin admin) {
        eventAdmin = admin;
    }

    public synchronized void unbind(EventAdmin admin) {
        if (eventAdmin == admin) {
            eventAdmin = null;
        }
    }

    @Override
    public void post(String topic, Map<String, ?> properties) {
        EventAdmin admin = eventAdmin;
        if (admin == null) {
            return;
        }
        Map<String, Object> clean = new HashMap<>();
        properties.forEach((key, value) -> {
            if (value != null) {
                clean.put(key, value);
            }
        });
        try {
            admin.postEvent(new Event(topic, clean));
        } catch (RuntimeException e) {
            // Event Admin going away under us; an event lost then is harmless.
            LOG.debug("could not post {}: {}", topic, e.toString());
        }
    }
}
