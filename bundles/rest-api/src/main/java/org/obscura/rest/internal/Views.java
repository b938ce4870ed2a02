package org.obscura.rest.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.Mode;
import org.obscura.camera.api.StoredCapture;

/**
 * The JSON shapes the API answers with, where they differ from the API's own records. Field names are
 * camelCase, except the snake_case ones kept for clients of the Snapshot Server ({@code image_url_path},
 * {@code skew_ms}). Times are ISO-8601 strings.
 */
final class Views {
    private Views() {
    }

    /** Where a camera's live views and snapshot are. */
    record Urls(String stream, String frame, String snapshot) {
        static Urls of(String base, String camera) {
            String c = base + "/v1/cameras/" + camera;
            return new Urls(c + "/stream", c + "/frame", c + "/snapshot");
        }
    }

    /** A capture mode; {@code format} is the pixel format's name (JPEG, YUYV, NV12, ...). */
    record ModeView(String format, int width, int height, double fps) {
        static ModeView of(Mode mode) {
            return mode == null ? null : new ModeView(mode.format().name(), mode.width(), mode.height(), mode.fps());
        }
    }

    /** A camera's stored configuration: its PID, its driver and its user properties (passwords masked). */
    record ConfigView(String pid, String factoryPid, String driver, Map<String, Object> properties) {
    }

    /**
     * A camera as listed and shown. {@code state} is {@code online}, {@code streaming} or {@code offline};
     * {@code configurable} says whether it has a configuration the API can edit; {@code properties} (driver
     * facts) and {@code configuration} appear only on the single-camera answer.
     */
    record CameraView(String name, String label, String driver, String device, String state, boolean enabled,
            boolean configurable, ModeView mode, List<String> capabilities, boolean stereo, int stereoOrder,
            String interruptService, int viewers, double fps, long frames, Instant lastFrame, String lastError,
            Urls urls, @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> properties,
            @JsonInclude(JsonInclude.Include.NON_NULL) ConfigView configuration) {
    }

    /** A driver; {@code form} (its configuration form) only on the single-driver answer. */
    record DriverView(String id, String name, String factoryPid, boolean available, String status, String bundle,
            String version, @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> form) {
    }

    /** One stored still. */
    record SnapshotView(String camera, String file, String path, String url, String sidecar, long size, int width,
            int height, Instant timestamp) {
        static SnapshotView of(CaptureResult r) {
            StoredCapture s = r.stored();
            return new SnapshotView(s.camera(), s.file(), s.path(), s.url(), s.sidecar(), s.size(), r.width(),
                    r.height(), r.timestamp());
        }
    }

    /** One stored still plus the Snapshot Server's fields ({@code success}, {@code filename}, {@code image_url_path}). */
    record SingleSnapshotView(boolean success, String camera, String file, String path, String url, String sidecar,
            long size, int width, int height, Instant timestamp, String filename,
            @JsonProperty("image_url_path") String imageUrlPath) {
        static SingleSnapshotView of(CaptureResult r) {
            StoredCapture s = r.stored();
            return new SingleSnapshotView(true, s.camera(), s.file(), s.path(), s.url(), s.sidecar(), s.size(),
                    r.width(), r.height(), r.timestamp(), s.file(), s.url());
        }
    }

    /** The outcome of a capture from several cameras; {@code skew_ms} only for stereo. */
    record BatchView(String mode, boolean success, List<SnapshotView> results, Map<String, String> errors,
            @JsonProperty("skew_ms") Double skewMs, Instant started, Instant finished) {
    }

    /** Driver counts for the health answer. */
    record DriverCounts(int total, int available) {
    }

    /** Camera counts for the health answer; {@code online} includes streaming ones. */
    record CameraCounts(int total, int online, int streaming, int offline) {
    }

    /** Space in the data dir, in bytes; {@code null} values when it cannot be read. */
    record DataDir(Long freeBytes, Long totalBytes) {
    }

    /** The health answer: {@code status} is {@code ok}, or {@code degraded} with the reasons in {@code problems}. */
    record Health(String status, String version, Instant started, long uptimeSeconds, DriverCounts drivers,
            CameraCounts cameras, DataDir dataDir, Encoder encoder, List<String> problems) {
    }

    /** The JPEG codec in use: {@code "libjpeg-turbo 2.1"} or the pure-Java {@code "java-imageio"} (fallback). */
    record Encoder(String name, boolean fallback) {
    }
}
