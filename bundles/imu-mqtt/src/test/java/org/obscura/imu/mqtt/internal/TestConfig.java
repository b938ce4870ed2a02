package org.obscura.imu.mqtt.internal;

import java.lang.annotation.Annotation;

/** A configuration with the defaults of {@link MqttImuProvider.Config}, fields overridable by tests. */
class TestConfig implements MqttImuProvider.Config {
    String brokerUrl = "tcp://127.0.0.1:1";
    String topic = "rig/imu";
    long staleMs = 60_000;
    long reconnectInitialMs = 50;
    long reconnectMaxMs = 400;

    @Override public Class<? extends Annotation> annotationType() { return MqttImuProvider.Config.class; }
    @Override public String broker_url() { return brokerUrl; }
    @Override public String topic() { return topic; }
    @Override public int qos() { return 1; }
    @Override public String client_id() { return ""; }
    @Override public String username() { return ""; }
    @Override public String password() { return ""; }
    @Override public long stale_ms() { return staleMs; }
    @Override public long reconnect_initial_ms() { return reconnectInitialMs; }
    @Override public long reconnect_max_ms() { return reconnectMaxMs; }
    @Override public String field_roll() { return "/roll"; }
    @Override public String field_pitch() { return "/pitch"; }
    @Override public String field_yaw() { return "/yaw"; }
    @Override public String field_quaternion() { return "/quaternion"; }
    @Override public String field_accelerometer() { return "/accel"; }
    @Override public String field_gyroscope() { return "/gyro"; }
    @Override public String field_magnetometer() { return "/mag"; }
}
