package org.obscura.rest.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.Function;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.FrameImages;
import org.obscura.camera.api.LiveFrame;

/**
 * The derived forms of live frames (small JPEG, PNG, raw BGR), each computed at most once per frame for all
 * viewers. Only the newest frame of each camera is cached: a request for a newer frame replaces the camera's
 * entry, a request for an older one (a slow viewer) is computed without caching. Concurrent requests for the
 * same form wait for the one computation, on the requesting threads (each holding its frame open).
 */
final class FrameForms {

    /** A form and its parameters, e.g. {@code png}, {@code jpeg 320x320 q80}. */
    record Key(String form, int width, int height, int quality) {
    }

    private record Slot(long index, ConcurrentMap<Key, Future<ByteBuffer>> forms) {
    }

    private final FrameImages images;
    private final ConcurrentMap<String, Slot> latest = new ConcurrentHashMap<>();

    FrameForms(FrameImages images) {
        this.images = images;
    }

    FrameImages images() {
        return images;
    }

    ByteBuffer smallJpeg(String camera, LiveFrame frame, int width, int height, int quality) {
        return form(camera, frame, new Key("jpeg", width, height, quality), f -> images.jpeg(f.frame(), width, height, quality));
    }

    ByteBuffer png(String camera, LiveFrame frame) {
        return form(camera, frame, new Key("png", 0, 0, 0), f -> images.png(f.frame()));
    }

    ByteBuffer bgr(String camera, LiveFrame frame) {
        return form(camera, frame, new Key("bgr", 0, 0, 0), f -> images.bgr(f.frame()));
    }

    /** Number of cameras with cached forms, for tests. */
    int cachedCameras() {
        return latest.size();
    }

    private ByteBuffer form(String camera, LiveFrame frame, Key key, Function<LiveFrame, ByteBuffer> compute) {
        Slot slot = latest.compute(camera, (c, s) -> s == null || s.index() < frame.index()
                ? new Slot(frame.index(), new ConcurrentHashMap<>(4)) : s);
        if (slot.index() != frame.index()) {
            return compute.apply(frame).asReadOnlyBuffer(); // an older frame than the cached one
        }
        Future<ByteBuffer> result = slot.forms().get(key);
        if (result == null) {
            FutureTask<ByteBuffer> task = new FutureTask<>(() -> compute.apply(frame).asReadOnlyBuffer());
            result = slot.forms().putIfAbsent(key, task);
            if (result == null) {
                result = task;
                task.run();
            }
        }
        try {
            return result.get().duplicate();
        } catch (ExecutionException e) {
            // Failures are not cached: the next request tries again.
            slot.forms().remove(key, result);
            if (e.getCause() instanceof CameraException ce) {
                throw ce;
            }
            throw new CameraException(CameraException.Kind.IO,
                    "could not convert frame " + frame.index() + " of camera '" + camera + "': " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CameraException(CameraException.Kind.IO, "interrupted while converting a frame", e);
        }
    }
}
