package org.obscura.camera.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Records posted events in order. */
public final class RecordingEvents implements EventPublisher {

    public record Posted(String topic, Map<String, Object> properties) {
    }

    private final List<Posted> posted = new ArrayList<>();

    @Override
    public synchronized void post(String topic, Map<String, ?> properties) {
        posted.add(new Posted(topic, new java.util.HashMap<>(properties)));
    }

    public synchronized List<Posted> all() {
        return new ArrayList<>(posted);
    }

    /** Topics posted for one camera, in order. */
    public synchronized List<String> topics(String camera) {
        List<String> topics = new ArrayList<>();
        for (Posted p : posted) {
            if (camera.equals(p.properties.get("camera"))) {
                topics.add(p.topic.substring(p.topic.lastIndexOf('/') + 1));
            }
        }
        return topics;
    }
}
