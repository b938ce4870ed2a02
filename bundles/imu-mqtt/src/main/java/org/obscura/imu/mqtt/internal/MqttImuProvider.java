package org.obscura.imu.mqtt.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.MetadataProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest IMU sample from an MQTT topic, as capture metadata ({@code imu} in every sidecar) and as XMP
 * Photo Sphere pose tags for the JPEG itself.
 *
 * <p>The MQTT client connects on its own thread and reconnects with exponential backoff after any loss, so
 * activation never waits for the broker and captures never do: {@link #metadata} only reads the latest
 * sample. A sample older than {@code stale.ms} is reported as stale, with its age, and never served as the
 * current orientation (no XMP pose is written from it); when there is no usable sample, the metadata says why
 * (never received, broker unreachable, last message malformed).
 */
@Component(service = MetadataProvider.class, configurationPid = MqttImuProvider.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = MqttImuProvider.Config.class)
public final class MqttImuProvider implements MetadataProvider, MqttCallback {

    /** Configuration PID of the IMU source. */
    public static final String PID = "org.obscura.imu.mqtt";
    private static final Logger LOG = LoggerFactory.getLogger(MqttImuProvider.class);

    @ObjectClassDefinition(name = "Obscura IMU over MQTT", description = "Latest IMU sample from an MQTT topic, "
            + "added to every capture's metadata and written into JPEGs as Photo Sphere pose tags.")
    public @interface Config {
        @AttributeDefinition(name = "Broker URL", description = "tcp://host:1883, or ssl://host:8883 for TLS "
                + "(the JVM's trust store verifies the broker)")
        String broker_url() default "tcp://localhost:1883";

        @AttributeDefinition(name = "Topic", description = "Topic the IMU publishes JSON samples on")
        String topic() default "imu";

        @AttributeDefinition(name = "QoS", description = "MQTT quality of service of the subscription", min = "0",
                max = "2")
        int qos() default 0;

        @AttributeDefinition(name = "Client id", description = "Empty for a generated one", required = false)
        String client_id() default "";

        @AttributeDefinition(name = "User name", required = false)
        String username() default "";

        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false)
        String password() default "";

        @AttributeDefinition(name = "Stale after (ms)", description = "A sample older than this is reported as "
                + "stale and not used as the current orientation", min = "1")
        long stale_ms() default 2000;

        @AttributeDefinition(name = "First reconnect delay (ms)", min = "10")
        long reconnect_initial_ms() default 500;

        @AttributeDefinition(name = "Longest reconnect delay (ms)", description = "The delay doubles after each "
                + "failed attempt up to this", min = "10")
        long reconnect_max_ms() default 30000;

        @AttributeDefinition(name = "Roll field", description = "JSON Pointer of roll in degrees; empty if absent",
                required = false)
        String field_roll() default "/roll";

        @AttributeDefinition(name = "Pitch field", required = false)
        String field_pitch() default "/pitch";

        @AttributeDefinition(name = "Yaw field", description = "JSON Pointer of yaw (heading) in degrees",
                required = false)
        String field_yaw() default "/yaw";

        @AttributeDefinition(name = "Quaternion field", description = "JSON Pointer of [w,x,y,z] or {w,x,y,z}, "
                + "used when roll/pitch/yaw are absent", required = false)
        String field_quaternion() default "/quaternion";

        @AttributeDefinition(name = "Accelerometer field", required = false)
        String field_accelerometer() default "/accel";

        @AttributeDefinition(name = "Gyroscope field", required = false)
        String field_gyroscope() default "/gyro";

        @AttributeDefinition(name = "Magnetometer field", required = false)
        String field_magnetometer() default "/mag";
    }

    private final ImuParser parser;
    private final String topic;
    private final int qos;
    private final long staleNanos;
    private final long staleMs;
    private final long backoffInitialMs;
    private final long backoffMaxMs;
    private final LongSupplier nanos;
    private final MqttClient client;
    private final MqttConnectOptions options;
    private final ScheduledExecutorService worker;

    private volatile ImuSample latest;
    private volatile String connectionError = "not connected yet";
    private volatile String lastMalformed;
    private volatile boolean closed;
    private long backoffMs;

    @Activate
    public MqttImuProvider(Config config) {
        this(config, System::nanoTime);
    }

    MqttImuProvider(Config config, LongSupplier nanos) {
        if (config.qos() < 0 || config.qos() > 2) {
            throw CameraException.invalid("qos", "qos must be 0, 1 or 2, got " + config.qos());
        }
        if (config.topic() == null || config.topic().isBlank()) {
            throw CameraException.invalid("topic", "an MQTT topic is required");
        }
        if (config.stale_ms() < 1) {
            throw CameraException.invalid("stale.ms", "stale.ms must be at least 1, got " + config.stale_ms());
        }
        try {
            this.parser = new ImuParser(new ImuParser.Mapping(config.field_roll(), config.field_pitch(),
                    config.field_yaw(), config.field_quaternion(), config.field_accelerometer(),
                    config.field_gyroscope(), config.field_magnetometer()));
        } catch (IllegalArgumentException e) {
            throw CameraException.invalid(e.getMessage().substring(0, e.getMessage().indexOf(' ')), e.getMessage());
        }
        this.topic = config.topic().trim();
        this.qos = config.qos();
        this.staleMs = config.stale_ms();
        this.staleNanos = TimeUnit.MILLISECONDS.toNanos(config.stale_ms());
        this.backoffInitialMs = Math.max(10, config.reconnect_initial_ms());
        this.backoffMaxMs = Math.max(backoffInitialMs, config.reconnect_max_ms());
        this.backoffMs = backoffInitialMs;
        this.nanos = nanos;
        String clientId = config.client_id() == null || config.client_id().isBlank()
                ? "obscura-imu-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 8)
                : config.client_id().trim();
        try {
            this.client = new MqttClient(config.broker_url(), clientId, new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw CameraException.invalid("broker.url", "broker URL '" + config.broker_url() + "' is not valid ("
                    + e.getMessage() + "); use tcp://host:port or ssl://host:port");
        }
        client.setCallback(this);
        options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setAutomaticReconnect(false); // our own backoff, bounded by reconnect.max.ms
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        if (config.username() != null && !config.username().isBlank()) {
            options.setUserName(config.username());
            options.setPassword(config.password() == null ? new char[0] : config.password().toCharArray());
        }
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "obscura-imu-mqtt");
            t.setDaemon(true);
            return t;
        });
        worker.execute(this::connect);
    }

    /** Runs on the worker: one attempt, then the next one scheduled with backoff on failure. */
    private void connect() {
        if (closed) {
            return;
        }
        try {
            client.connect(options);
            client.subscribe(topic, qos);
            connectionError = null;
            backoffMs = backoffInitialMs;
            LOG.info("IMU: connected to {} and subscribed to '{}'", client.getServerURI(), topic);
        } catch (MqttException | RuntimeException e) {
            connectionError = "cannot reach MQTT broker " + client.getServerURI() + ": " + describe(e);
            disconnectQuietly();
            LOG.debug("IMU: {}; next attempt in {} ms", connectionError, backoffMs);
            schedule();
        }
    }

    private void schedule() {
        if (closed) {
            return;
        }
        long delay = backoffMs;
        backoffMs = Math.min(backoffMaxMs, backoffMs * 2);
        try {
            worker.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    private void disconnectQuietly() {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(1000, 1000);
            }
        } catch (MqttException | RuntimeException e) {
            LOG.trace("IMU: disconnect: {}", e.toString());
        }
    }

    private static String describe(Throwable e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String message = e.getMessage();
        return message == null || message.isBlank() ? cause.toString() : message
                + (cause != e && cause.getMessage() != null ? " (" + cause.getMessage() + ")" : "");
    }

    /**
     * Connected and subscribed: the client is connected a moment before its subscription is in place at the
     * broker, and a sample published in between reaches nobody.
     */
    boolean connected() {
        return client.isConnected() && connectionError == null;
    }

    // ---- MqttCallback (Paho's thread) ------------------------------------------------------------------

    @Override
    public void connectionLost(Throwable cause) {
        connectionError = "lost the connection to MQTT broker " + client.getServerURI() + ": " + describe(cause);
        LOG.warn("IMU: {}", connectionError);
        try {
            worker.execute(this::schedule);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        try {
            latest = parser.parse(message.getPayload(), nanos.getAsLong(), Instant.now());
            lastMalformed = null;
        } catch (IllegalArgumentException e) {
            // A malformed message never replaces a good sample; it is reported until a good one arrives.
            lastMalformed = e.getMessage();
            LOG.debug("IMU: ignored a message on '{}': {}", topic, e.getMessage());
        }
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // never publishes
    }

    // ---- MetadataProvider -------------------------------------------------------------------------------

    @Override
    public String name() {
        return "imu";
    }

    @Override
    public Map<String, Object> metadata(String camera) {
        Map<String, Object> m = new LinkedHashMap<>();
        ImuSample sample = latest;
        boolean up = connected();
        String connection = up ? null : connectionError != null ? connectionError
                : "not connected to MQTT broker " + client.getServerURI();
        m.put("source", client.getServerURI() + " " + topic);
        m.put("connected", up);
        if (sample == null) {
            m.put("available", false);
            m.put("error", "no IMU sample received yet" + (connection != null ? "; " + connection : "")
                    + (lastMalformed != null ? "; last message ignored: " + lastMalformed : ""));
            return m;
        }
        long ageMs = TimeUnit.NANOSECONDS.toMillis(nanos.getAsLong() - sample.receivedNanos());
        m.put("ageMs", ageMs);
        if (ageMs * 1_000_000L > staleNanos) {
            m.put("available", false);
            m.put("stale", true);
            m.put("error", "the last IMU sample is " + ageMs + " ms old (stale after " + staleMs + " ms)"
                    + (connection != null ? "; " + connection : ""));
            m.put("lastSample", sample.values());
            return m;
        }
        m.put("available", true);
        m.put("stale", false);
        m.putAll(sample.values());
        if (lastMalformed != null) {
            m.put("warning", "last message ignored: " + lastMalformed);
        }
        return m;
    }

    @Override
    public Map<String, String> xmp(String camera) {
        ImuSample sample = latest;
        if (sample == null || !sample.hasOrientation() || nanos.getAsLong() - sample.receivedNanos() > staleNanos) {
            return Map.of();
        }
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("GPano:PoseHeadingDegrees", format(sample.heading()));
        tags.put("GPano:PosePitchDegrees", format(sample.pitch()));
        tags.put("GPano:PoseRollDegrees", format(sample.roll()));
        return tags;
    }

    private static String format(double degrees) {
        return String.format(Locale.ROOT, "%.2f", degrees);
    }

    @Deactivate
    void deactivate() {
        closed = true;
        worker.shutdownNow();
        disconnectQuietly();
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.trace("IMU: close: {}", e.toString());
        }
    }
}
