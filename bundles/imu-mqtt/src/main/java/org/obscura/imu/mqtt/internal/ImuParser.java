package org.obscura.imu.mqtt.internal;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads IMU JSON messages with a configurable field mapping. Each field is a JSON Pointer into the message
 * ({@code /roll}, {@code /orientation/q}); an empty pointer means the IMU does not send it. Vectors are
 * arrays {@code [x, y, z]} or objects with {@code x, y, z}; the quaternion is {@code [w, x, y, z]} or an
 * object with {@code w, x, y, z}. Roll, pitch and yaw come from their fields when all three are there, else
 * from the quaternion. Thread-safe (immutable).
 */
final class ImuParser {

    /** JSON Pointers of the fields, empty for absent ones. */
    record Mapping(String roll, String pitch, String yaw, String quaternion, String accelerometer, String gyroscope,
            String magnetometer) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Mapping mapping;

    /** @throws IllegalArgumentException naming the field whose pointer is malformed */
    ImuParser(Mapping mapping) {
        for (String[] f : new String[][] { { "field.roll", mapping.roll() }, { "field.pitch", mapping.pitch() },
                { "field.yaw", mapping.yaw() }, { "field.quaternion", mapping.quaternion() },
                { "field.accelerometer", mapping.accelerometer() }, { "field.gyroscope", mapping.gyroscope() },
                { "field.magnetometer", mapping.magnetometer() } }) {
            if (f[1] != null && !f[1].isEmpty() && !f[1].startsWith("/")) {
                throw new IllegalArgumentException(f[0] + " must be a JSON Pointer starting with '/', got '" + f[1]
                        + "'");
            }
        }
        this.mapping = mapping;
    }

    /**
     * @throws IllegalArgumentException for a payload that is not JSON, or carries neither an orientation nor
     *                                  any mapped vector, or has a mapped field of the wrong shape
     */
    ImuSample parse(byte[] payload, long receivedNanos, Instant receivedAt) {
        JsonNode root;
        try {
            root = JSON.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("payload is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("payload cannot be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("payload is not a JSON object");
        }
        Double roll = number(root, mapping.roll(), "roll");
        Double pitch = number(root, mapping.pitch(), "pitch");
        Double yaw = number(root, mapping.yaw(), "yaw");
        double[] q = vector(root, mapping.quaternion(), "quaternion", new String[] { "w", "x", "y", "z" });
        if ((roll == null || pitch == null || yaw == null) && q != null) {
            double[] euler = euler(q);
            roll = euler[0];
            pitch = euler[1];
            yaw = euler[2];
        } else if (roll == null || pitch == null || yaw == null) {
            roll = pitch = yaw = null;
        }
        double[] accel = vector(root, mapping.accelerometer(), "accelerometer", XYZ);
        double[] gyro = vector(root, mapping.gyroscope(), "gyroscope", XYZ);
        double[] mag = vector(root, mapping.magnetometer(), "magnetometer", XYZ);
        if (roll == null && accel == null && gyro == null && mag == null) {
            throw new IllegalArgumentException("payload has none of the mapped IMU fields");
        }
        return new ImuSample(roll, pitch, yaw, q, accel, gyro, mag, receivedNanos, receivedAt.toString());
    }

    private static final String[] XYZ = { "x", "y", "z" };

    private static Double number(JsonNode root, String pointer, String what) {
        if (pointer == null || pointer.isEmpty()) {
            return null;
        }
        JsonNode n = root.at(pointer);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !Double.isFinite(n.asDouble())) {
            throw new IllegalArgumentException(what + " at " + pointer + " is not a number");
        }
        return n.asDouble();
    }

    private static double[] vector(JsonNode root, String pointer, String what, String[] names) {
        if (pointer == null || pointer.isEmpty()) {
            return null;
        }
        JsonNode n = root.at(pointer);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        double[] v = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            JsonNode c = n.isArray() && n.size() == names.length ? n.get(i) : n.isObject() ? n.get(names[i]) : null;
            if (c == null || !c.isNumber() || !Double.isFinite(c.asDouble())) {
                throw new IllegalArgumentException(what + " at " + pointer + " must be " + names.length
                        + " numbers, as an array or an object with " + String.join(", ", names));
            }
            v[i] = c.asDouble();
        }
        return v;
    }

    /** Roll, pitch, yaw in degrees (aerospace Z-Y-X order) from a unit quaternion [w, x, y, z]. */
    static double[] euler(double[] q) {
        double norm = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
        if (norm == 0) {
            throw new IllegalArgumentException("quaternion is zero");
        }
        double w = q[0] / norm;
        double x = q[1] / norm;
        double y = q[2] / norm;
        double z = q[3] / norm;
        double roll = Math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y));
        double sinPitch = Math.max(-1, Math.min(1, 2 * (w * y - z * x)));
        double pitch = Math.asin(sinPitch);
        double yaw = Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
        return new double[] { Math.toDegrees(roll), Math.toDegrees(pitch), Math.toDegrees(yaw) };
    }
}
