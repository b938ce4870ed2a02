package org.obscura.camera.api;

import java.util.Map;

/**
 * Adds metadata to every capture (an IMU's orientation, a GPS fix, the lab's temperature). The capture
 * service asks every registered provider when it stores a still, and writes what they return into the
 * sidecar under {@link #name()}.
 *
 * <p>Called on the capturing thread: return at once from what is already known (latest sample), never
 * block on I/O. Throwing is allowed and is recorded in the sidecar as the reason the data is missing.
 */
@org.osgi.annotation.versioning.ConsumerType
public interface MetadataProvider {

    /** Key under which the sidecar holds this provider's data, e.g. {@code "imu"}. */
    String name();

    /**
     * Metadata for a still of {@code camera}, JSON-friendly values (String, Number, Boolean, List, Map).
     * Include {@code "stale": true} or an {@code "error"} entry rather than silently serving old data.
     */
    Map<String, Object> metadata(String camera);

    /**
     * XMP properties to embed into the JPEG itself, keyed by qualified name, e.g.
     * {@code "GPano:PoseHeadingDegrees" -> "12.5"}. Default: none.
     */
    default Map<String, String> xmp(String camera) {
        return Map.of();
    }
}
