package org.obscura.driver.testpattern.internal;

import java.time.ZoneId;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.spi.CameraDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when the driver's built-in test-pattern camera is registered, and does it.
 *
 * <ul>
 * <li>{@link Mode#ON}: always, except while another camera already uses its name;</li>
 * <li>{@link Mode#AUTO}: only while no other camera (of any driver) is registered. It is withdrawn at once
 * when one appears, and comes back when the last one has been gone for the settle time; the same wait
 * applies at start-up, so a server whose real cameras register a moment after this driver never shows it.
 * The wait also keeps it from flapping while another driver's bundle is updated;</li>
 * <li>{@link Mode#OFF}: never.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * The {@code camera*} and {@link #mode} methods are called from service event delivery (synchronous, on
 * whatever thread registered the other camera, maybe holding its locks); they only record the change
 * under a short lock and schedule {@link #reconcile}. Registration and unregistration happen on the
 * scheduler's single thread, holding no lock that an event callback takes, so the service events they
 * cause can never deadlock with this class. {@code reconcile} reads the newest state, so coalesced or
 * late tasks cannot undo a newer decision.
 */
final class BuiltinCamera {

    /** The built-in camera's name (and its driver's id). */
    static final String NAME = "testpattern";
    /** How long no other camera must be registered before the built-in camera appears in {@link Mode#AUTO}. */
    static final long SETTLE_MILLIS = 1500;

    private static final Logger LOG = LoggerFactory.getLogger(BuiltinCamera.class);

    /** The {@code builtin.camera} driver setting. */
    enum Mode {
        AUTO, ON, OFF;

        static Mode parse(String text) {
            String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "", "auto" -> AUTO;
                case "on", "true" -> ON;
                case "off", "false" -> OFF;
                default -> throw CameraException.invalid(TestPatternDriver.BUILTIN_CAMERA,
                        "builtin.camera '" + text + "' is unknown: auto, on or off");
            };
        }
    }

    /** Registers a camera as a service; returns what unregisters it. */
    @FunctionalInterface
    interface Publisher {
        Runnable publish(CameraDevice camera, Map<String, Object> properties);
    }

    /** Runs delayed tasks on one thread, in order. */
    interface Scheduler {
        /** Runs {@code task} after {@code delayMillis}; returns what cancels it if it has not started. */
        Runnable schedule(Runnable task, long delayMillis);

        /** Runs nothing more; returns when no task is running (or after a bounded wait). */
        void close();

        /** A daemon thread of that name. */
        static Scheduler thread(String name) {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            // on close, drop waiting tasks but let a running registration finish uninterrupted
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            executor.setRemoveOnCancelPolicy(true);
            return new Scheduler() {
                @Override
                public Runnable schedule(Runnable task, long delayMillis) {
                    ScheduledFuture<?> future = executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
                    return () -> future.cancel(false);
                }

                @Override
                public void close() {
                    executor.shutdown();
                    try {
                        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                            LOG.warn("built-in camera: registration still busy after 10 s");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
        }
    }

    private final Publisher publisher;
    private final Scheduler scheduler;
    private final Supplier<TestPatternCamera> cameras;
    private final long settleMillis;

    private final Object lock = new Object();
    private Mode mode; // guarded by lock
    private final Map<Object, String> others = new HashMap<>(); // guarded by lock: key -> camera name
    private Runnable pending = () -> { }; // guarded by lock: cancels the scheduled reconcile
    private boolean closed; // guarded by lock

    private final Object publication = new Object(); // never taken by event callbacks
    private TestPatternCamera camera; // guarded by publication
    private Runnable unpublish; // guarded by publication

    /**
     * Starts deciding at once: the first registration happens on the scheduler.
     *
     * @param cameras makes a fresh built-in camera for each registration
     */
    BuiltinCamera(Mode mode, Publisher publisher, Scheduler scheduler, Supplier<TestPatternCamera> cameras,
            long settleMillis) {
        this.mode = mode;
        this.publisher = publisher;
        this.scheduler = scheduler;
        this.cameras = cameras;
        this.settleMillis = settleMillis;
        synchronized (lock) {
            changed();
        }
    }

    /** The built-in camera as the driver runs it: defaults, 640x480 YUYV at 15 fps, colour bars. */
    static TestPatternCamera defaultCamera() {
        return new TestPatternCamera(CameraSetup.defaults(NAME, "Test pattern"), true,
                ZoneId.systemDefault());
    }

    void mode(Mode newMode) {
        synchronized (lock) {
            if (mode != newMode) {
                mode = newMode;
                changed();
            }
        }
    }

    /** Another camera service appeared (or its properties changed); {@code key} identifies it. */
    void cameraAdded(Object key, String name) {
        synchronized (lock) {
            others.put(key, name == null ? "" : name);
            changed();
        }
    }

    void cameraRemoved(Object key) {
        synchronized (lock) {
            if (others.remove(key) != null) {
                changed();
            }
        }
    }

    /** Whether the built-in camera is registered now. */
    boolean published() {
        synchronized (publication) {
            return unpublish != null;
        }
    }

    /** Withdraws the built-in camera for good; returns when it is unregistered and stopped. */
    void close() {
        synchronized (lock) {
            closed = true;
            pending.run();
        }
        scheduler.close();
        withdraw();
    }

    /** Under lock. */
    private boolean wanted() {
        return switch (mode) {
            case OFF -> false;
            case ON -> !others.containsValue(NAME);
            case AUTO -> others.isEmpty();
        };
    }

    /** Under lock: schedules a reconcile, withdrawals at once, appearances in AUTO after the settle time. */
    private void changed() {
        if (closed) {
            return;
        }
        pending.run();
        long delay = wanted() && mode == Mode.AUTO ? settleMillis : 0;
        pending = scheduler.schedule(this::reconcile, delay);
    }

    /** On the scheduler thread: makes the registration match the newest decision. */
    private void reconcile() {
        boolean want;
        synchronized (lock) {
            if (closed) {
                return;
            }
            want = wanted();
        }
        if (want) {
            synchronized (publication) {
                if (unpublish == null) {
                    TestPatternCamera fresh = cameras.get();
                    unpublish = publisher.publish(fresh, fresh.serviceProperties());
                    camera = fresh;
                    LOG.info("built-in test-pattern camera '{}' registered", NAME);
                }
            }
        } else {
            withdraw();
        }
    }

    private void withdraw() {
        synchronized (publication) {
            if (unpublish != null) {
                unpublish.run();
                camera.close();
                unpublish = null;
                camera = null;
                LOG.info("built-in test-pattern camera '{}' withdrawn", NAME);
            }
        }
    }
}
