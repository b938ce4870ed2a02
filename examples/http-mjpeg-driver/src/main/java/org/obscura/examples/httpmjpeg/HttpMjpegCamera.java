package org.obscura.examples.httpmjpeg;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.Capability;
import org.obscura.camera.api.Frame;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.support.AbstractCameraDevice;
import org.obscura.camera.spi.support.BufferPool;
import org.obscura.camera.spi.support.CameraConfigs;
import org.obscura.camera.spi.support.CameraRegistration;
import org.obscura.camera.spi.support.JpegSize;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A camera reading an HTTP MJPEG stream ({@code multipart/x-mixed-replace} of JPEG images): an ESP32-CAM
 * ({@code http://<ip>:81/stream}), an IP camera, or another Obscura server
 * ({@code http://<host>:8080/api/v1/cameras/<name>/stream}). One per factory configuration of
 * {@link #FACTORY_PID}.
 *
 * <p>The stream thread (see {@link AbstractCameraDevice}) connects, passes every JPEG through unchanged as a
 * {@link PixelFormat#JPEG} frame (at most {@code fps} per second when set), and when the source drops,
 * reconnects up to {@code reconnect.attempts} times with a growing pause (0.5 s, 1 s, 2 s, ... up to 8 s); a
 * connection that streamed for 5 s starts the count afresh, so a source that keeps dropping after a few
 * frames is reported rather than retried for ever.
 * When that fails too, it reports the failure: the server shows "no signal" and restarts the camera later
 * with its own backoff. Refused credentials, a missing page or a page that is not a stream are reported at
 * once: retrying would not help. A still is the next frame of the running stream, or one image read from a
 * fresh connection when nobody is watching.
 */
@org.osgi.annotation.bundle.Capability(namespace = "osgi.service",
        attribute = "objectClass:List<String>=org.obscura.camera.spi.CameraDevice", uses = CameraDevice.class)
@Component(configurationPid = HttpMjpegCamera.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = HttpMjpegCamera.Config.class, factory = true)
public final class HttpMjpegCamera extends AbstractCameraDevice {

    /** Factory PID of the camera configurations. */
    public static final String FACTORY_PID = "org.obscura.examples.httpmjpeg.camera";

    /** The largest JPEG accepted in a stream: 16 MB; anything larger is not a camera stream. */
    static final int MAX_PART_BYTES = 16 * 1024 * 1024;
    private static final long MAX_BACKOFF_MILLIS = 8000;
    /** A connection that delivered frames this long counts as healthy: its drop starts the reconnect count afresh. */
    static final long STABLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** A camera's configuration, as forms show it. */
    @ObjectClassDefinition(name = "HTTP MJPEG camera", description = "A camera read from an HTTP MJPEG stream: "
            + "ESP32-CAM, IP cameras, or another Obscura server's /api/v1/cameras/<name>/stream.")
    public @interface Config {
        @AttributeDefinition(name = CameraConfigs.NAME_LABEL, description = CameraConfigs.NAME_DESCRIPTION)
        String name();

        @AttributeDefinition(name = CameraConfigs.LABEL_LABEL, description = CameraConfigs.LABEL_DESCRIPTION,
                required = false)
        String label() default "";

        @AttributeDefinition(name = CameraConfigs.STEREO_LABEL, description = CameraConfigs.STEREO_DESCRIPTION)
        boolean stereo() default false;

        @AttributeDefinition(name = CameraConfigs.STEREO_ORDER_LABEL, description = CameraConfigs.STEREO_ORDER_DESCRIPTION)
        int stereo_order() default 0;

        @AttributeDefinition(name = CameraConfigs.INTERRUPT_SERVICE_LABEL,
                description = CameraConfigs.INTERRUPT_SERVICE_DESCRIPTION, required = false)
        String interrupt_service() default "";

        @AttributeDefinition(name = CameraConfigs.ENABLED_LABEL, description = CameraConfigs.ENABLED_DESCRIPTION)
        boolean enabled() default true;

        @AttributeDefinition(name = "Stream URL", description = "The MJPEG stream, e.g. http://192.168.1.50:81/stream "
                + "(ESP32-CAM) or http://host:8080/api/v1/cameras/front/stream (Obscura).")
        String url();

        @AttributeDefinition(name = "User name", description = "For cameras that ask for a password (HTTP Basic); "
                + "none when empty.", required = false)
        String username() default "";

        @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD, required = false)
        String password() default "";

        @AttributeDefinition(name = "Frame rate limit", description = "The most frames per second passed on; "
                + "0 for as many as the source sends.", min = "0", max = "120")
        double fps() default 0;

        @AttributeDefinition(name = "Connect timeout (s)", min = "1", max = "120")
        int connect_timeout_seconds() default 5;

        @AttributeDefinition(name = "Read timeout (s)", description = "The longest silence tolerated from an open stream.",
                min = "1", max = "600")
        int read_timeout_seconds() default 10;

        @AttributeDefinition(name = "Reconnect attempts", description = "How often a dropped stream is reconnected "
                + "before the camera is shown offline (the server keeps retrying after that, more slowly).",
                min = "0", max = "100")
        int reconnect_attempts() default 3;
    }

    private final CameraConfigs.Common common;
    private final StreamSource source;
    private CameraRegistration registration;

    /** Reads and checks the configuration; DS logs a refused configuration and does not activate. */
    @Activate
    public HttpMjpegCamera(Map<String, Object> properties) {
        this(CameraConfigs.read(properties), StreamSource.parse(properties));
    }

    HttpMjpegCamera(CameraConfigs.Common common, StreamSource source) {
        super(describe(common, source, 0, 0));
        this.common = common;
        this.source = source;
    }

    private static CameraDescriptor describe(CameraConfigs.Common common, StreamSource source, int width, int height) {
        return common.descriptor(HttpMjpegDriver.ID, source.toString(),
                new Mode(PixelFormat.JPEG, width, height, source.fps()),
                Set.of(Capability.STREAM, Capability.STILL), Map.of("source", source.url().getHost()));
    }

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        if (common.enabled()) {
            registration = CameraRegistration.register(context, this, HttpMjpegDriver.ID, properties);
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.close();
        }
        close();
    }

    @Override
    protected String threadName() {
        return "http-mjpeg-" + common.name();
    }

    @Override
    protected void stream(Stream stream) throws Exception {
        AtomicReference<HttpURLConnection> current = new AtomicReference<>();
        stream.closeOnStop(() -> {
            HttpURLConnection c = current.get();
            if (c != null) {
                c.disconnect(); // ends a read blocked on the socket
            }
        });
        BufferPool pool = new BufferPool(4);
        int failures = 0;
        while (stream.active()) {
            String problem;
            HttpURLConnection connection = null;
            try {
                connection = connect();
                current.set(connection);
                if (!stream.active()) {
                    return;
                }
                MjpegReader reader = reader(connection);
                long connected = System.nanoTime();
                int length;
                while (stream.active() && (length = reader.next()) >= 0) {
                    if (failures > 0 && System.nanoTime() - connected > STABLE_NANOS) {
                        failures = 0;
                    }
                    if (stream.due(source.fps())) {
                        deliver(stream, pool, reader.part(), length);
                    }
                }
                problem = "the source ended the stream";
            } catch (IOException e) {
                problem = e.getMessage() == null ? e.toString() : e.getMessage();
            } finally {
                if (connection != null) {
                    connection.disconnect();
                }
            }
            if (!stream.active()) {
                return;
            }
            failures++;
            if (failures > source.reconnectAttempts()) {
                throw new CameraException(Kind.UNAVAILABLE, quoted() + " lost its source " + source + ": " + problem
                        + (source.reconnectAttempts() > 0 ? " (after " + source.reconnectAttempts() + " reconnects)" : ""));
            }
            long pause = Math.min(MAX_BACKOFF_MILLIS, 500L << Math.min(failures - 1, 10));
            TimeUnit.MILLISECONDS.sleep(pause); // interrupted by stop
        }
    }

    private void deliver(Stream stream, BufferPool pool, byte[] jpeg, int length) throws IOException {
        Optional<JpegSize> size = JpegSize.read(jpeg, 0, length);
        if (size.isEmpty()) {
            throw new IOException("the source sent a part that is not a JPEG image (" + length + " bytes)");
        }
        ByteBuffer buffer = pool.acquire(length);
        if (buffer == null) {
            return; // viewers still hold every buffer: drop this frame
        }
        buffer.put(jpeg, 0, length);
        JpegSize s = size.get();
        Mode mode = descriptor().mode();
        if (mode.width() != s.width() || mode.height() != s.height()) {
            descriptor(describe(common, source, s.width(), s.height()));
        }
        Frame frame = pool.frame(buffer, PixelFormat.JPEG, s.width(), s.height(), 0, nextSequence(),
                System.nanoTime(), Instant.now());
        try {
            stream.deliver(frame);
        } finally {
            frame.release();
        }
    }

    /** Opens the stream; HTTP and content errors that retrying cannot fix are CameraExceptions. */
    private HttpURLConnection connect() throws IOException {
        HttpURLConnection c = (HttpURLConnection) source.url().toURL().openConnection();
        c.setConnectTimeout((int) source.connectTimeout().toMillis());
        c.setReadTimeout((int) source.readTimeout().toMillis());
        c.setUseCaches(false);
        c.setRequestProperty("Accept", "multipart/x-mixed-replace, image/jpeg");
        if (source.authorization() != null) {
            c.setRequestProperty("Authorization", source.authorization());
        }
        int status = c.getResponseCode();
        if (status == 401 || status == 403) {
            c.disconnect();
            throw new CameraException(Kind.UNAVAILABLE, quoted() + ": " + source + " refused access (HTTP " + status
                    + "): check the user name and password, or add ?token=... for an Obscura server");
        }
        if (status == 404) {
            c.disconnect();
            throw new CameraException(Kind.UNAVAILABLE, quoted() + ": there is no stream at " + source + " (HTTP 404)");
        }
        if (status != 200) {
            c.disconnect();
            throw new IOException(source + " answered HTTP " + status); // a server error: worth retrying
        }
        String type = c.getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            c.disconnect();
            throw new CameraException(Kind.UNAVAILABLE, quoted() + ": " + source + " is not an MJPEG stream (Content-Type "
                    + type + ")");
        }
        return c;
    }

    private static MjpegReader reader(HttpURLConnection c) throws IOException {
        InputStream in = c.getInputStream();
        return new MjpegReader(in, MjpegReader.boundary(c.getContentType()), MAX_PART_BYTES);
    }

    /**
     * The next frame of the running stream, or, when idle, one image from a fresh connection.
     *
     * @throws CameraException TIMEOUT, UNAVAILABLE (source refused or not a stream), IO
     */
    @Override
    public Frame captureStill() {
        if (closed()) {
            throw new CameraException(Kind.UNAVAILABLE, quoted() + " has been removed");
        }
        Frame live = nextFrame(source.readTimeout());
        if (live != null) {
            return live;
        }
        HttpURLConnection c = null;
        try {
            c = connect();
            MjpegReader reader = reader(c);
            int length = reader.next();
            if (length < 0) {
                throw new CameraException(Kind.IO, quoted() + ": " + source + " ended before the first image");
            }
            byte[] jpeg = java.util.Arrays.copyOf(reader.part(), length);
            JpegSize size = JpegSize.read(jpeg, 0, length).orElseThrow(() -> new CameraException(Kind.IO,
                    quoted() + ": " + source + " sent a part that is not a JPEG image"));
            return Frame.jpeg(size.width(), size.height(), nextSequence(), jpeg);
        } catch (java.net.SocketTimeoutException e) {
            throw new CameraException(Kind.TIMEOUT, quoted() + ": " + source + " sent no image in time", e);
        } catch (IOException e) {
            throw new CameraException(Kind.IO, quoted() + ": cannot read " + source + ": " + e.getMessage(), e);
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }
}
