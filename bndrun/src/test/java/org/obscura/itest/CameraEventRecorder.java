package org.obscura.itest;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.obscura.camera.api.ObscuraEvents;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/**
 * Records the camera events Event Admin delivers ({@code org/obscura/camera/*}), in order of arrival, from the
 * moment it is made until it is closed. Event Admin calls {@link #handleEvent} on its own threads; the
 * methods here are thread-safe.
 */
final class CameraEventRecorder implements EventHandler, AutoCloseable {

    /** One event as received. */
    record Received(String topic, String camera, String reason) {
        @Override
        public String toString() {
            return topic.substring(topic.lastIndexOf('/') + 1) + "(" + camera + (reason == null ? "" : ": " + reason)
                    + ")";
        }
    }

    private final List<Received> events = new ArrayList<>(); // guarded by itself
    private final ServiceRegistration<EventHandler> registration;

    CameraEventRecorder(BundleContext context) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(EventConstants.EVENT_TOPIC, ObscuraEvents.TOPIC_PREFIX + "camera/*");
        registration = context.registerService(EventHandler.class, this, properties);
    }

    @Override
    public void handleEvent(Event event) {
        Object camera = event.getProperty(ObscuraEvents.CAMERA);
        Object reason = event.getProperty(ObscuraEvents.REASON);
        synchronized (events) {
            events.add(new Received(event.getTopic(), camera == null ? null : camera.toString(),
                    reason == null ? null : reason.toString()));
        }
    }

    /** How many events arrived so far: a mark to look for later events from. */
    int mark() {
        synchronized (events) {
            return events.size();
        }
    }

    /**
     * Position of the first event of that topic and camera at or after position {@code from}, or -1.
     */
    int indexOf(String topic, String camera, int from) {
        synchronized (events) {
            for (int i = from; i < events.size(); i++) {
                Received e = events.get(i);
                if (e.topic().equals(topic) && camera.equals(e.camera())) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Every event so far, for failure messages. */
    List<Received> all() {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    @Override
    public void close() {
        registration.unregister();
    }
}
