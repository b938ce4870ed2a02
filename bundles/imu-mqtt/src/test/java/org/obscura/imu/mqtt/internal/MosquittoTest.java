package org.obscura.imu.mqtt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IMU source against a real Mosquitto broker on a free port of 127.0.0.1. */
class MosquittoTest {

    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");

    @TempDir
    Path dir;
    private int port;
    private Process broker;
    private MqttImuProvider imu;

    @BeforeEach
    void startBroker() throws Exception {
        Peers.require(Files.isExecutable(MOSQUITTO), "Mosquitto is not installed (" + MOSQUITTO
                + "); install the 'mosquitto' package to run the MQTT tests");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("mosquitto.conf"), "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                + "persistence false\n");
        startMosquitto();
    }

    private void startMosquitto() throws Exception {
        broker = new ProcessBuilder(MOSQUITTO.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        await(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, "Mosquitto listening on port " + port);
    }

    private void stopMosquitto() throws InterruptedException {
        broker.destroy();
        assertTrue(broker.waitFor(30, TimeUnit.SECONDS));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (imu != null) {
            imu.deactivate();
        }
        if (broker != null) {
            broker.destroy();
            broker.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private void publish(String json) throws MqttException {
        MqttClient publisher = new MqttClient("tcp://127.0.0.1:" + port, MqttClient.generateClientId(),
                new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        publisher.connect(options);
        publisher.publish("rig/imu", json.getBytes(StandardCharsets.UTF_8), 1, false);
        publisher.disconnect();
        publisher.close();
    }

    /**
     * Publishes {@code json} until {@code condition} holds. The provider reports itself connected as soon as its
     * client is, before its subscription is in place at the broker, and a message published in between reaches
     * no subscriber; so the first sample after a (re)connection is sent again until it has arrived.
     */
    private void publishUntil(String json, BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            publish(json);
            long retry = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() - retry < 0) {
                if (condition.getAsBoolean()) {
                    return;
                }
                Thread.sleep(20);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
        }
    }

    private MqttImuProvider connect() throws InterruptedException {
        TestConfig config = new TestConfig();
        config.brokerUrl = "tcp://127.0.0.1:" + port;
        MqttImuProvider provider = new MqttImuProvider(config);
        await(provider::connected, "the IMU client to connect");
        return provider;
    }

    @Test
    void messagesArriveInTheMetadataAndXmp() throws Exception {
        imu = connect();
        publishUntil("{\"roll\":1.25,\"pitch\":-3.5,\"yaw\":181,\"accel\":[0,0,9.8],\"gyro\":{\"x\":0.1,\"y\":0,\"z\":0}}",
                () -> Boolean.TRUE.equals(imu.metadata("cam").get("available")), "the sample to arrive");
        Map<String, Object> m = imu.metadata("cam");
        assertEquals(1.25, m.get("roll"));
        assertEquals(-3.5, m.get("pitch"));
        assertEquals(java.util.List.of(0.0, 0.0, 9.8), m.get("accelerometer"));
        assertEquals("181.00", imu.xmp("cam").get("GPano:PoseHeadingDegrees"));

        publish("{\"roll\": oops}");
        publish("{\"roll\":2,\"pitch\":0,\"yaw\":0}");
        await(() -> Double.valueOf(2).equals(imu.metadata("cam").get("roll")), "the next good sample");
    }

    @Test
    void aBrokerDownIsReportedAndTheClientReconnectsWhenItIsBack() throws Exception {
        stopMosquitto();
        TestConfig config = new TestConfig();
        config.brokerUrl = "tcp://127.0.0.1:" + port;
        imu = new MqttImuProvider(config);
        await(() -> String.valueOf(imu.metadata("cam").get("error")).contains("cannot reach MQTT broker"),
                "the failed connection to be reported");
        Map<String, Object> down = imu.metadata("cam"); // what a capture's sidecar gets: no exception, a reason
        assertEquals(false, down.get("available"));
        assertEquals(false, down.get("connected"));
        assertTrue(imu.xmp("cam").isEmpty());

        startMosquitto();
        await(imu::connected, "the client to reconnect with backoff");
        publishUntil("{\"roll\":0,\"pitch\":0,\"yaw\":45}",
                () -> Boolean.TRUE.equals(imu.metadata("cam").get("available")), "a sample after reconnecting");

        stopMosquitto(); // lost while connected: reported, then reconnected again
        await(() -> !imu.connected(), "the loss to be noticed");
        assertFalse(Boolean.TRUE.equals(imu.metadata("cam").get("connected")));
        startMosquitto();
        await(imu::connected, "the client to reconnect after losing the broker");
        publishUntil("{\"roll\":0,\"pitch\":0,\"yaw\":90}",
                () -> Double.valueOf(90).equals(imu.metadata("cam").get("yaw")), "a sample after the second outage");
    }
}
