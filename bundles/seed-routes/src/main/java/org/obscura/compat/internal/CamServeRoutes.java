package org.obscura.compat.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.FrameImages;

/**
 * CamServe's routes: {@code /stream} (MJPEG, boundary {@code frame}), {@code /api/status}, {@code /api/frame}
 * (JPEG) and {@code /api/smframe} (the 320x320 JPEG CamServe keeps beside each frame). Its page at {@code /} is
 * left to Obscura's own web interface.
 */
final class CamServeRoutes {

    /** CamServe's small frame side and JPEG quality. */
    static final int SMALL = 320;
    static final int QUALITY = 85;

    private final ServedCamera camera;
    private final FrameImages images;
    private final MjpegStreams streams;

    CamServeRoutes(ServedCamera camera, FrameImages images, MjpegStreams streams) {
        this.camera = camera;
        this.images = images;
        this.streams = streams;
    }

    void addTo(RouteTable table) {
        table.add("/stream", ErrorStyle.CAMSERVE, x -> CampiRoutes.stream(camera, streams, x), "GET")
                .add("/api/status", ErrorStyle.CAMSERVE, this::status, "GET")
                .add("/api/frame", ErrorStyle.CAMSERVE, this::frame, "GET")
                .add("/api/smframe", ErrorStyle.CAMSERVE, this::smallFrame, "GET");
    }

    /**
     * CamServe's status. {@code camera_id} was an OpenCV device index; here it is the served camera's position
     * among all cameras by name (0 for the first), and {@code camera} its name. Obscura opens a camera when
     * somebody watches it, so a frame is available whenever the camera is online, not only while it streams.
     */
    private void status(Exchange x) throws IOException {
        CameraStatus s = camera.status();
        CameraDescriptor d = CampiRoutes.described(s);
        List<CameraStatus> all = camera.registry().cameras();
        int id = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).name().equals(s.name())) {
                id = i;
                break;
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("camera_id", id);
        body.put("camera", s.name());
        body.put("width", d.mode().width());
        body.put("height", d.mode().height());
        body.put("fps", d.mode().fps());
        body.put("is_running", s.online());
        body.put("frame_available", s.online());
        body.put("smframe_available", s.online());
        x.json(200, body);
    }

    private void frame(Exchange x) throws IOException {
        ByteBuffer jpeg = camera.withFrame(f -> f.jpeg());
        x.bytes(200, "image/jpeg", jpeg);
    }

    /** Scaled to exactly 320x320 as CamServe did (no letterbox); a smaller frame keeps its own side. */
    private void smallFrame(Exchange x) throws IOException {
        ByteBuffer jpeg = camera.withFrame(f -> images.jpeg(f.frame(), Math.min(SMALL, f.frame().width()),
                Math.min(SMALL, f.frame().height()), QUALITY));
        x.bytes(200, "image/jpeg", jpeg);
    }
}
