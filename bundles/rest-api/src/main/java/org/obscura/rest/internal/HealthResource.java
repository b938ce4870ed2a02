package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.object;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraState;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.ImageStore;

/**
 * {@code /v1/health}: whether the server is fine, for monitors and the UI's status bar. Always 200 while the
 * API answers at all; {@code status} turns {@code degraded} (with reasons) when the data dir is missing,
 * unreadable or nearly full, so that captures would fail. {@code encoder} names the JPEG codec in use, with
 * {@code fallback: true} for the slower pure-Java one (libjpeg-turbo missing), which does not degrade the status.
 */
final class HealthResource {

    /** Below this much free space in the data dir the server reports itself degraded. */
    static final long LOW_SPACE_BYTES = 100L * 1024 * 1024;

    private final CameraRegistry registry;
    private final ImageStore store;
    private final String version;
    private final Instant started;
    private final Clock clock;
    private final FrameImages images;

    /**
     * @param version the version reported (the REST bundle's)
     * @param started when the server started (the JVM start)
     */
    HealthResource(CameraRegistry registry, ImageStore store, String version, Instant started, Clock clock) {
        this(registry, store, version, started, clock, null);
    }

    /** @param images reports the JPEG codec, or {@code null} (no {@code encoder} field) */
    HealthResource(CameraRegistry registry, ImageStore store, String version, Instant started, Clock clock,
            FrameImages images) {
        this.images = images;
        this.registry = registry;
        this.store = store;
        this.version = version;
        this.started = started;
        this.clock = clock;
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/health", this::health, RouteDoc.of("server", "Health of the server")
                .description("status ok or degraded (with problems), version, uptime, driver and camera counts, "
                        + "data dir space, JPEG encoder.")
                .answers(200, "the health", object("status", "string", "version", "string", "started", "string",
                        "uptimeSeconds", "integer", "drivers", "object", "cameras", "object", "dataDir", "object",
                        "encoder", "object", "problems", "string[]")));
    }

    Reply health(Call call) {
        List<String> problems = new ArrayList<>();
        List<DriverInfo> drivers = registry.drivers();
        int available = (int) drivers.stream().filter(DriverInfo::available).count();
        List<CameraStatus> cameras = registry.cameras();
        int streaming = 0;
        int offline = 0;
        for (CameraStatus c : cameras) {
            if (c.state() == CameraState.STREAMING) {
                streaming++;
            } else if (c.state() == CameraState.OFFLINE) {
                offline++;
            }
        }
        Long free = null;
        Long total = null;
        Path root = store.root();
        try {
            if (!Files.isDirectory(root)) {
                problems.add("the data dir does not exist");
            } else {
                FileStore fs = Files.getFileStore(root);
                free = fs.getUsableSpace();
                total = fs.getTotalSpace();
                if (free < LOW_SPACE_BYTES) {
                    problems.add("the data dir has only " + free / (1024 * 1024) + " MiB free");
                }
                if (!Files.isWritable(root)) {
                    problems.add("the data dir is not writable");
                }
            }
        } catch (IOException | SecurityException e) {
            problems.add("the data dir cannot be read: " + e.getMessage());
        }
        long uptime = Math.max(0, Duration.between(started, clock.instant()).getSeconds());
        String status = problems.isEmpty() ? "ok" : "degraded";
        Views.Encoder encoder = images == null ? null : new Views.Encoder(images.jpegCodec(), images.jpegFallback());
        return Reply.ok(new Views.Health(status, version, started, uptime,
                new Views.DriverCounts(drivers.size(), available),
                new Views.CameraCounts(cameras.size(), cameras.size() - offline, streaming, offline),
                new Views.DataDir(free, total), encoder, problems));
    }
}
