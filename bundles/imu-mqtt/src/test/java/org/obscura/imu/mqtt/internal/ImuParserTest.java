package org.obscura.imu.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;

class ImuParserTest {

    private final ImuParser parser = new ImuParser(new ImuParser.Mapping("/att/roll", "/att/pitch", "/att/yaw",
            "/q", "/a", "/g", ""));

    private ImuSample parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8), 0, Instant.EPOCH);
    }

    @Test
    void readsMappedFieldsFromArraysAndObjects() {
        ImuSample s = parse("{\"att\":{\"roll\":1.5,\"pitch\":-2,\"yaw\":-90},\"a\":[0,0,9.81],"
                + "\"g\":{\"x\":1,\"y\":2,\"z\":3},\"mag\":[7,7,7]}");
        assertEquals(1.5, s.roll());
        assertEquals(270.0, s.heading());
        assertArrayEquals(new double[] { 0, 0, 9.81 }, s.accelerometer());
        assertArrayEquals(new double[] { 1, 2, 3 }, s.gyroscope());
        assertNull(s.magnetometer(), "an unmapped field is not read");
    }

    @Test
    void derivesOrientationFromTheQuaternion() {
        // 90 degrees about Z: w = cos 45, z = sin 45.
        double c = Math.sqrt(0.5);
        ImuSample s = parse("{\"q\":[" + c + ",0,0," + c + "]}");
        assertEquals(0.0, s.roll(), 1e-9);
        assertEquals(0.0, s.pitch(), 1e-9);
        assertEquals(90.0, s.yaw(), 1e-9);
        double[] pitched = ImuParser.euler(new double[] { Math.cos(Math.toRadians(15)), 0,
                Math.sin(Math.toRadians(15)), 0 });
        assertEquals(30.0, pitched[1], 1e-9);
    }

    @Test
    void refusesMalformedPayloads() {
        for (String bad : new String[] { "not json", "[1,2]", "{}", "{\"att\":{\"roll\":\"x\",\"pitch\":1,\"yaw\":1}}",
                "{\"a\":[1,2]}", "{\"q\":[0,0,0,0]}" }) {
            assertThrows(IllegalArgumentException.class, () -> parse(bad), bad);
        }
    }

    @Test
    void aStaleSampleIsReportedAndNeverUsedAsTheOrientation() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        TestConfig config = new TestConfig();
        config.staleMs = 500;
        MqttImuProvider imu = new MqttImuProvider(config, now::get);
        try {
            imu.messageArrived("rig/imu", new org.eclipse.paho.client.mqttv3.MqttMessage(
                    "{\"roll\":1,\"pitch\":2,\"yaw\":370}".getBytes(StandardCharsets.UTF_8)));
            Map<String, Object> fresh = imu.metadata("cam");
            assertEquals(true, fresh.get("available"));
            assertEquals(370.0, fresh.get("yaw"));
            assertEquals(Map.of("GPano:PoseHeadingDegrees", "10.00", "GPano:PosePitchDegrees", "2.00",
                    "GPano:PoseRollDegrees", "1.00"), imu.xmp("cam"));

            now.addAndGet(600_000_000L);
            Map<String, Object> stale = imu.metadata("cam");
            assertEquals(true, stale.get("stale"));
            assertEquals(false, stale.get("available"));
            assertEquals(600L, stale.get("ageMs"));
            assertNull(stale.get("yaw"), "a stale orientation is not presented as current");
            assertTrue(((String) stale.get("error")).contains("stale after 500 ms"), (String) stale.get("error"));
            assertTrue(imu.xmp("cam").isEmpty());

            imu.messageArrived("rig/imu", new org.eclipse.paho.client.mqttv3.MqttMessage("garbage".getBytes()));
            assertTrue(((String) imu.metadata("cam").get("error")).contains("stale"), "a bad message replaces nothing");
        } finally {
            imu.deactivate();
        }
    }

    @Test
    void badConfigurationNamesTheField() {
        TestConfig config = new TestConfig();
        config.brokerUrl = "http://example";
        assertEquals("broker.url", assertThrows(CameraException.class, () -> new MqttImuProvider(config)).field());
        TestConfig noTopic = new TestConfig();
        noTopic.topic = " ";
        assertEquals("topic", assertThrows(CameraException.class, () -> new MqttImuProvider(noTopic)).field());
    }
}
