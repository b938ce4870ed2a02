package org.obscura.imu.mqtt.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One IMU reading. Orientation in degrees (roll about X, pitch about Y, yaw/heading about Z), from the message
 * or derived from its quaternion; vectors as [x, y, z] in the units the IMU sends. Absent parts are null.
 *
 * @param receivedNanos when it arrived, on {@link System#nanoTime()}'s clock (for its age)
 * @param receivedAt    when it arrived, wall clock, ISO-8601
 */
record ImuSample(Double roll, Double pitch, Double yaw, double[] quaternion, double[] accelerometer,
        double[] gyroscope, double[] magnetometer, long receivedNanos, String receivedAt) {

    boolean hasOrientation() {
        return roll != null && pitch != null && yaw != null;
    }

    /** The sample as JSON-friendly values for a sidecar. */
    Map<String, Object> values() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (hasOrientation()) {
            m.put("roll", roll);
            m.put("pitch", pitch);
            m.put("yaw", yaw);
        }
        put(m, "quaternion", quaternion);
        put(m, "accelerometer", accelerometer);
        put(m, "gyroscope", gyroscope);
        put(m, "magnetometer", magnetometer);
        m.put("receivedAt", receivedAt);
        return m;
    }

    private static void put(Map<String, Object> m, String key, double[] v) {
        if (v != null) {
            m.put(key, java.util.Arrays.stream(v).boxed().toList());
        }
    }

    /** Photo Sphere heading: yaw folded into [0, 360). */
    double heading() {
        double h = yaw % 360.0;
        return h < 0 ? h + 360.0 : h;
    }

    static List<Double> list(double[] v) {
        return java.util.Arrays.stream(v).boxed().toList();
    }
}
