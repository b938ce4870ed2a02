package org.obscura.sequencer.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.CapturedImage;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.Page;
import org.obscura.camera.api.StoredCapture;

/** Test doubles for the services the sequencer meets. */
final class Fakes {
    private Fakes() {
    }

    /** Virtual lights that remember every switch. */
    static final class Lights implements LightController {
        final Map<String, Boolean> states = new LinkedHashMap<>();
        final List<String> log = Collections.synchronizedList(new ArrayList<>());

        Lights(String... names) {
            for (String n : names) {
                states.put(n, false);
            }
        }

        @Override
        public synchronized Map<String, Boolean> states() {
            return new LinkedHashMap<>(states);
        }

        @Override
        public boolean hardwareAvailable() {
            return false;
        }

        @Override
        public synchronized void set(String light, boolean on) {
            if (!states.containsKey(light)) {
                throw CameraException.notFound("unknown light " + light);
            }
            states.put(light, on);
            log.add(light + (on ? " on" : " off"));
        }

        @Override
        public synchronized void allOff() {
            states.replaceAll((k, v) -> false);
            log.add("all off");
        }

        synchronized List<String> on() {
            return states.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        }
    }

    /** A camera service whose stills say which lights were on when they were taken. */
    static final class Capture implements CaptureService {
        private final Lights lights;
        final List<String> takes = Collections.synchronizedList(new ArrayList<>());
        volatile int failAtTake = -1;
        volatile CountDownLatch block;
        /** Which take waits for {@link #block} (counting from 1), or -1 for every take. */
        volatile int blockAtTake = -1;
        final CountDownLatch blocked = new CountDownLatch(1);

        Capture(Lights lights) {
            this.lights = lights;
        }

        @Override
        public CapturedImage take(String camera, Map<String, Object> metadata) {
            int n = takes.size() + 1;
            String on = String.join("+", lights.on());
            takes.add(camera + ":" + on);
            if (n == failAtTake) {
                throw new CameraException(CameraException.Kind.IO, "camera '" + camera + "' failed to take a still");
            }
            CountDownLatch b = block;
            if (b != null && (blockAtTake < 0 || n == blockAtTake)) {
                blocked.countDown();
                try {
                    b.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CameraException(CameraException.Kind.BUSY, "interrupted");
                }
            }
            byte[] jpeg = ("JPEG " + camera + " lit by " + on).getBytes();
            Map<String, Object> meta = new LinkedHashMap<>(metadata);
            meta.put("settings", Map.of("iso", "100"));
            return new CapturedImage(camera, jpeg, 640, 480, Instant.now(), System.nanoTime(), meta);
        }

        @Override
        public CaptureResult capture(String camera, Map<String, Object> metadata) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BatchResult captureAll(Map<String, Object> metadata) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BatchResult captureStereo(Map<String, Object> metadata) {
            throw new UnsupportedOperationException();
        }
    }

    /** The store's path and write contract, on a temporary folder. */
    static final class Store implements ImageStore {
        private final Path root;

        Store(Path root) throws IOException {
            this.root = root.toRealPath();
        }

        @Override
        public Path root() {
            return root;
        }

        @Override
        public Path resolve(String relative) {
            if (relative == null || relative.isEmpty() || relative.startsWith("/") || relative.contains("\\")
                    || relative.indexOf('\0') >= 0) {
                throw CameraException.invalid("path", "bad path " + relative);
            }
            for (String s : relative.split("/", -1)) {
                if (s.isEmpty() || s.equals("..") || s.equals(".")) {
                    throw CameraException.invalid("path", "bad path " + relative);
                }
            }
            Path p = root.resolve(relative).normalize();
            Path existing = p;
            while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            try {
                if (!p.startsWith(root) || !existing.toRealPath().startsWith(root)) {
                    throw CameraException.invalid("path", "path leads outside the data dir: " + relative);
                }
            } catch (IOException e) {
                throw CameraException.invalid("path", "unresolvable " + relative);
            }
            return p;
        }

        /** Counts manifest writes; the one numbered {@link #failManifestWrite} fails like a full disk. */
        final java.util.concurrent.atomic.AtomicInteger manifestWrites = new java.util.concurrent.atomic.AtomicInteger();
        volatile int failManifestWrite = -1;

        @Override
        public Path write(String relative, byte[] content) {
            if (relative.endsWith("/manifest.json") && manifestWrites.incrementAndGet() == failManifestWrite) {
                throw new CameraException(CameraException.Kind.IO, "could not write '" + relative
                        + "': No space left on device");
            }
            Path target = resolve(relative);
            try {
                Files.createDirectories(target.getParent());
                Path temp = target.resolveSibling(".tmp-" + target.getFileName());
                Files.write(temp, content);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new CameraException(CameraException.Kind.IO, e.toString(), e);
            }
            return target;
        }

        @Override
        public CaptureResult store(CapturedImage image, Map<String, Object> extra) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Page<StoredCapture> captures(String camera, int offset, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<StoredCapture> capture(String camera, String file) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean deleteCapture(String camera, String file) {
            throw new UnsupportedOperationException();
        }
    }
}
