package org.obscura.compat.internal;

import java.io.IOException;
import java.util.Map;

import org.obscura.camera.api.AccessControl;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.FrameSubscription;
import org.obscura.camera.api.LiveFrame;

/**
 * The routes of Camera Server for FourCutTogether: {@code /preview?timeout=N} (MJPEG, boundary {@code frame},
 * ending after N seconds when given), {@code /capture} (a fresh still as JPEG), {@code /reset} and {@code /cmd}.
 * Failures are {@code text/plain}; per the seed's tables a camera that is in use answers 503 and one that is not
 * there 504, except on {@code /capture}, whose table gives 503 for every camera failure.
 */
final class FourCutRoutes {

    /** The longest {@code /preview?timeout=}: a day. */
    static final double MAX_TIMEOUT_SECONDS = 86_400;

    private final ServedCamera camera;
    private final CaptureService capture;
    private final MjpegStreams streams;
    private final GphotoCommands commands;
    private final boolean cmdEnabled;
    private final AdminCheck admin;

    FourCutRoutes(ServedCamera camera, CaptureService capture, MjpegStreams streams, boolean cmdEnabled,
            AdminCheck admin) {
        this.camera = camera;
        this.capture = capture;
        this.streams = streams;
        this.commands = new GphotoCommands(camera.registry());
        this.cmdEnabled = cmdEnabled;
        this.admin = admin;
    }

    void addTo(RouteTable table) {
        table.add("/preview", ErrorStyle.FOURCUT, this::preview, "GET")
                .add("/capture", ErrorStyle.FOURCUT, this::capture, "GET")
                .add("/reset", ErrorStyle.FOURCUT, this::reset, "GET")
                .add("/cmd", ErrorStyle.FOURCUT, this::cmd, "GET");
    }

    /**
     * Answers 200 only once the camera delivered a picture, so that a camera that is missing or gives nothing
     * is a 504 (not an empty 200 stream), as the seed answered when gphoto2 failed to start the movie.
     */
    private void preview(Exchange x) {
        long deadline = 0;
        String timeout = x.parameter("timeout");
        if (timeout != null) {
            double seconds;
            try {
                seconds = Double.parseDouble(timeout.trim());
            } catch (NumberFormatException e) {
                throw SeedException.badRequest("timeout must be a number of seconds, not '" + GphotoCommands.printable(timeout) + "'");
            }
            if (!(seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
                throw SeedException.badRequest("timeout must be more than 0 and at most " + (long) MAX_TIMEOUT_SECONDS + " seconds");
            }
            deadline = System.nanoTime() + (long) (seconds * 1e9);
            if (deadline == 0) {
                deadline = 1;
            }
        }
        CameraStatus s = camera.online();
        FrameSubscription subscription = streams.subscribe(s.name());
        LiveFrame first;
        try {
            first = ServedCamera.firstPicture(subscription, System.nanoTime() + camera.frameTimeout().toNanos());
        } catch (RuntimeException e) {
            streams.release(subscription);
            throw e;
        }
        if (first == null) {
            streams.release(subscription);
            throw new CameraException(CameraException.Kind.TIMEOUT, "camera '" + s.name() + "' gave no picture within "
                    + camera.frameTimeout().toSeconds() + " s");
        }
        streams.stream(x.response(), subscription, first, deadline);
    }

    private void capture(Exchange x) throws IOException {
        CapturedImage image;
        try {
            image = capture.take(camera.status().name(), Map.of());
        } catch (CameraException e) {
            int status = switch (e.kind()) {
                case INVALID_ARGUMENT -> 400;
                case UNSUPPORTED -> 501;
                default -> 503;
            };
            throw new SeedException(status, e.getMessage());
        }
        x.bytes(200, "image/jpeg", image.jpeg());
    }

    private void reset(Exchange x) throws IOException {
        camera.registry().reset(camera.status().name());
        x.text(200, "text/html", "Camera has been reset.");
    }

    private void cmd(Exchange x) throws IOException {
        if (!cmdEnabled) {
            throw new SeedException(403, "/cmd is disabled; an administrator can enable it with cmd.enabled=true in "
                    + "configuration " + SeedRoutes.PID);
        }
        if (!admin.isAdmin(x.request())) {
            throw new SeedException(401, AccessControl.ADMIN_REQUIRED + " for /cmd (Authorization: Basic or Bearer)");
        }
        String output = commands.run(x.parameter("arg"), camera::status);
        x.text(200, "text/plain", output);
    }
}
