package org.obscura.shell.internal;

import java.io.PrintStream;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.obscura.camera.api.BatchResult;
import org.obscura.camera.api.CameraDescriptor;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CameraStatus;
import org.obscura.camera.api.CaptureResult;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.DriverInfo;
import org.obscura.camera.api.ImageSet;
import org.obscura.camera.api.ImageSets;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.Page;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceRequest;
import org.obscura.camera.api.SequenceResult;
import org.obscura.camera.api.SequenceService;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.StoredCapture;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code obscura:} commands of the Felix Gogo shell. Gogo finds them through the {@code osgi.command.*}
 * service properties and calls the public methods of the same name; every public method of this class is a
 * command and is listed in {@code osgi.command.function} (a unit test holds the two together).
 *
 * <p>Each command returns its output as text, which Gogo prints; a {@link CameraException} becomes a single
 * {@code error: <message>} line instead of a stack trace. Only {@code sequence} writes while it runs: its
 * progress lines go to {@code System.out} of the calling thread, which Gogo redirects to the session, so they
 * are written from the command's thread, never from the sequence's.
 *
 * <p>Methods block as long as the services they call (a DSLR capture takes seconds) and may run concurrently
 * from several shell sessions; the component holds no mutable state of its own. Lights, sequences and image
 * sets come from optional bundles and may come and go while the shell runs.
 */
@Component(service = ObscuraCommands.class, property = {
        "osgi.command.scope=obscura",
        "osgi.command.function=cameras",
        "osgi.command.function=camera",
        "osgi.command.function=drivers",
        "osgi.command.function=devices",
        "osgi.command.function=snap",
        "osgi.command.function=settings",
        "osgi.command.function=set",
        "osgi.command.function=setting",
        "osgi.command.function=lights",
        "osgi.command.function=light",
        "osgi.command.function=sequence",
        "osgi.command.function=captures",
        "osgi.command.function=sets" })
public final class ObscuraCommands {

    static final int DEFAULT_CAPTURE_LIMIT = 20;
    static final int MAX_CAPTURE_LIMIT = 1000;
    private static final long PROGRESS_POLL_MS = 200;

    private final CameraRegistry registry;
    private final CaptureService capture;
    private final ImageStore store;
    private final Supplier<PrintStream> console;
    private final DisplayValues display;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile LightController lights;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile SequenceService sequencer;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ImageSets imageSets;

    @Activate
    public ObscuraCommands(@Reference CameraRegistry registry, @Reference CaptureService capture,
            @Reference ImageStore store) {
        // System.out is looked up per call: Gogo installs a per-thread stream behind it for each session.
        this(registry, capture, store, () -> System.out, ZoneId.systemDefault());
    }

    /** @param console where {@code sequence} writes its progress lines, asked once per call */
    ObscuraCommands(CameraRegistry registry, CaptureService capture, ImageStore store,
            Supplier<PrintStream> console, ZoneId zone) {
        this.registry = registry;
        this.capture = capture;
        this.store = store;
        this.console = console;
        this.display = new DisplayValues(zone);
    }

    // ---- cameras and drivers ------------------------------------------------------------------------------

    @Descriptor("list every camera: name, driver, state, mode, viewers and measured frame rate")
    public String cameras() {
        return run(() -> {
            List<CameraStatus> cameras = registry.cameras();
            if (cameras.isEmpty()) {
                return "no cameras\n";
            }
            TextTable table = new TextTable("NAME", "DRIVER", "STATE", "MODE", "VIEWERS", "FPS").alignRight(4, 5);
            for (CameraStatus c : cameras) {
                CameraDescriptor d = c.descriptor();
                table.row(c.name(), d == null ? null : d.driver(), state(c), d == null ? null : DisplayValues.mode(
                        d.mode()), c.viewers(), DisplayValues.decimal(c.fps()));
            }
            return table.render();
        });
    }

    @Descriptor("show one camera: descriptor, state, counters and last error")
    public String camera(@Descriptor("camera name") String name) {
        return run(() -> {
            CameraStatus c = registry.camera(name)
                    .orElseThrow(() -> CameraException.notFound("no camera named '" + name + "'"));
            CameraDescriptor d = c.descriptor();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("name", c.name());
            if (d != null) {
                fields.put("label", d.label());
                fields.put("driver", d.driver());
                fields.put("device", d.device().isEmpty() ? null : d.device());
                fields.put("mode", DisplayValues.mode(d.mode()));
                fields.put("capabilities", d.capabilities().stream().map(cap -> cap.name().toLowerCase(Locale.ROOT))
                        .sorted().collect(Collectors.joining(", ")));
                fields.put("stereo", d.stereo() ? "yes (order " + d.stereoOrder() + ")" : "no");
                fields.put("interrupt service", d.interruptService());
            }
            fields.put("state", state(c));
            fields.put("viewers", c.viewers());
            fields.put("fps", DisplayValues.decimal(c.fps()));
            fields.put("frames", c.frames());
            fields.put("last frame", display.time(c.lastFrame()));
            fields.put("last error", c.lastError());
            if (d != null) {
                new TreeMap<>(d.properties()).forEach(fields::put);
            }
            return keyValues(fields);
        });
    }

    @Descriptor("list the camera drivers and whether each can work on this machine")
    public String drivers() {
        return run(() -> {
            List<DriverInfo> drivers = registry.drivers();
            if (drivers.isEmpty()) {
                return "no drivers\n";
            }
            TextTable table = new TextTable("ID", "NAME", "STATE", "BUNDLE", "STATUS");
            for (DriverInfo d : drivers) {
                String bundle = d.bundle() == null ? null : d.version() == null ? d.bundle()
                        : d.bundle() + " " + d.version();
                table.row(d.id(), d.name(), d.available() ? "available" : "unavailable", bundle, d.status());
            }
            return table.render();
        });
    }

    @Descriptor("discover the devices of every available driver, with their formats, sizes and frame rates")
    public String devices() {
        return run(() -> {
            List<DriverInfo> drivers = registry.drivers();
            if (drivers.isEmpty()) {
                return "no drivers\n";
            }
            StringBuilder out = new StringBuilder();
            for (DriverInfo d : drivers) {
                if (!d.available()) {
                    out.append(d.id()).append(": unavailable: ").append(d.status()).append('\n');
                    continue;
                }
                try {
                    out.append(deviceTree(d.id(), registry.discover(d.id())));
                } catch (CameraException e) {
                    // One driver failing to probe must not hide what the others see.
                    out.append(d.id()).append(": error: ").append(e.getMessage()).append('\n');
                }
            }
            return out.toString();
        });
    }

    @Descriptor("discover the devices of one driver, with their formats, sizes and frame rates")
    public String devices(@Descriptor("driver id, as listed by 'drivers'") String driver) {
        return run(() -> deviceTree(driver, registry.discover(driver)));
    }

    // ---- captures -----------------------------------------------------------------------------------------

    @Descriptor("take and store a still from one camera, from every online camera (--all), or from the stereo "
            + "cameras together (--stereo, prints the skew)")
    public String snap(@Descriptor("a camera name, --all or --stereo") String target) {
        return run(() -> {
            if ("--all".equals(target)) {
                return batch(capture.captureAll(Map.of()));
            }
            if ("--stereo".equals(target)) {
                return batch(capture.captureStereo(Map.of()));
            }
            if (target == null || target.startsWith("-")) {
                throw CameraException.invalid("camera", "unknown option '" + target
                        + "': give a camera name, --all or --stereo");
            }
            CaptureResult r = capture.capture(target, Map.of());
            return captureTable(List.of(r)).render();
        });
    }

    @Descriptor("without an argument: says what snap takes")
    public String snap() {
        return run(() -> {
            throw CameraException.invalid("camera", "snap what? give a camera name, --all or --stereo");
        });
    }

    @Descriptor("list stored captures, newest first: all cameras or one, 20 unless a limit is given "
            + "(a number alone is a limit)")
    public String captures(@Descriptor("[camera] [limit]") String... args) {
        return run(() -> {
            String camera = null;
            String limitText = null;
            if (args.length == 1) {
                if (args[0].chars().allMatch(Character::isDigit)) {
                    limitText = args[0];
                } else {
                    camera = args[0];
                }
            } else if (args.length == 2) {
                camera = args[0];
                limitText = args[1];
            } else if (args.length > 2) {
                throw CameraException.invalid("args", "too many arguments: captures [camera] [limit]");
            }
            int limit = limitText == null ? DEFAULT_CAPTURE_LIMIT : limit(limitText);
            Page<StoredCapture> page = store.captures(camera, 0, limit);
            String of = camera == null ? "" : " of '" + camera + "'";
            if (page.items().isEmpty()) {
                return "no captures" + of + "\n";
            }
            TextTable table = new TextTable("TIME", "CAMERA", "FILE", "SIZE").alignRight(3);
            for (StoredCapture c : page.items()) {
                table.row(display.time(c.timestamp()), c.camera(), c.path(), DisplayValues.bytes(c.size()));
            }
            return table.render() + page.items().size() + " of " + page.total() + " captures" + of + "\n";
        });
    }

    // ---- settings -----------------------------------------------------------------------------------------

    @Descriptor("list a camera's settings with their values and what may be written")
    public String settings(@Descriptor("camera name") String camera) {
        return run(() -> {
            List<Setting> settings = registry.settings(camera);
            if (settings.isEmpty()) {
                return "camera '" + camera + "' has no settings\n";
            }
            TextTable table = new TextTable("NAME", "VALUE", "TYPE", "ALLOWED");
            for (Setting s : settings) {
                table.row(s.name(), DisplayValues.settingValue(s), s.type().name().toLowerCase(Locale.ROOT),
                        DisplayValues.settingAllowed(s));
            }
            return table.render();
        });
    }

    /*
     * Gogo's own gogo:set (session variables) shares the bare name "set", and an unqualified name runs
     * whichever scope Gogo finds first. "obscura:set" always reaches this one; "setting" has no such clash.
     */
    @Descriptor("write one camera setting and show the value read back; type it as obscura:set, because the "
            + "shell's own 'set' may answer the bare name (or use 'setting')")
    public String set(@Descriptor("camera name") String camera, @Descriptor("setting name") String setting,
            @Descriptor("new value") String value) {
        return run(() -> written(camera, registry.setSetting(camera, setting, value)));
    }

    @Descriptor("show one camera setting with what may be written")
    public String setting(@Descriptor("camera name") String camera, @Descriptor("setting name") String setting) {
        return run(() -> {
            Setting s = registry.settings(camera).stream().filter(x -> x.name().equals(setting)).findFirst()
                    .orElseThrow(() -> CameraException.notFound("camera '" + camera + "' has no setting '"
                            + setting + "'"));
            return camera + " " + s.name() + " = " + DisplayValues.settingValue(s) + "  ("
                    + s.type().name().toLowerCase(Locale.ROOT) + ", " + DisplayValues.settingAllowed(s) + ")\n";
        });
    }

    @Descriptor("write one camera setting and show the value read back (the same as obscura:set)")
    public String setting(@Descriptor("camera name") String camera, @Descriptor("setting name") String setting,
            @Descriptor("new value") String value) {
        return set(camera, setting, value);
    }

    // ---- lights and sequences -----------------------------------------------------------------------------

    @Descriptor("list the lights and whether each is on")
    public String lights() {
        return run(() -> {
            LightController controller = lightController();
            Map<String, Boolean> states = controller.states();
            StringBuilder out = new StringBuilder();
            if (states.isEmpty()) {
                out.append("no lights configured\n");
            } else {
                TextTable table = new TextTable("NAME", "STATE");
                states.forEach((name, on) -> table.row(name, Boolean.TRUE.equals(on) ? "on" : "off"));
                out.append(table.render());
            }
            if (!controller.hardwareAvailable()) {
                out.append("(no light hardware: states are virtual)\n");
            }
            return out.toString();
        });
    }

    @Descriptor("switch one light on or off")
    public String light(@Descriptor("light name") String name, @Descriptor("on or off") String state) {
        return run(() -> {
            boolean on = switch (state == null ? "" : state.toLowerCase(Locale.ROOT)) {
                case "on", "true" -> true;
                case "off", "false" -> false;
                default -> throw CameraException.invalid("state", "light state must be on or off, not '" + state
                        + "'");
            };
            lightController().set(name, on);
            return name + " " + (on ? "on" : "off") + "\n";
        });
    }

    @Descriptor("run a light-by-light capture sequence into a new image set; prints progress, waits for the end")
    public String sequence(@Descriptor("lights in order, comma separated, e.g. front,left,right") String lights) {
        return sequence(lights, null);
    }

    @Descriptor("run a light-by-light capture sequence into a new image set named <prefix>_<time>; prints "
            + "progress, waits for the end")
    public String sequence(@Descriptor("lights in order, comma separated, e.g. front,left,right") String lights,
            @Descriptor("set name prefix") String prefix) {
        return run(() -> runSequence(lights, prefix));
    }

    @Descriptor("list the image sets written by sequences, newest first")
    public String sets() {
        return run(() -> {
            ImageSets sets = imageSets;
            if (sets == null) {
                throw new CameraException(CameraException.Kind.UNAVAILABLE,
                        "no image sets service is running (install the photometric sequencer)");
            }
            List<ImageSet> all = sets.sets();
            if (all.isEmpty()) {
                return "no image sets\n";
            }
            TextTable table = new TextTable("NAME", "IMAGES", "STATUS", "CREATED").alignRight(1);
            for (ImageSet s : all) {
                table.row(s.name(), s.imageCount(), s.status(), display.time(s.created()));
            }
            return table.render();
        });
    }

    // ---- implementation -----------------------------------------------------------------------------------

    /**
     * Runs one command; a CameraException becomes its one-line answer. Other failures are bugs: Gogo reports
     * them in one line and keeps the exception in the session's {@code $exception}. The text is returned
     * without its last line feed, because Gogo ends what it prints with one.
     */
    private static String run(Supplier<String> command) {
        String text;
        try {
            text = command.get();
        } catch (CameraException e) {
            text = "error: " + e.getMessage();
        }
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    private String runSequence(String lightList, String prefix) {
        SequenceService service = sequencer;
        if (service == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE,
                    "no sequence service is running (install the photometric sequencer)");
        }
        List<String> steps = lightList == null ? List.of()
                : Arrays.stream(lightList.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (steps.isEmpty()) {
            throw CameraException.invalid("lights", "name at least one light, e.g. sequence front,left,right");
        }
        // Progress arrives on the sequence's thread; it is queued here and printed from the command's thread,
        // the only one whose System.out Gogo sends to this session. The callback must not block: add() does not.
        BlockingQueue<SequenceProgress> updates = new LinkedBlockingQueue<>();
        CompletableFuture<SequenceResult> result = service
                .start(new SequenceRequest(steps, prefix, List.of(), null), updates::add).toCompletableFuture();
        PrintStream out = console.get();
        try {
            // Updates are queued before the result completes, so once it is done, draining the queue prints all.
            while (!result.isDone() || !updates.isEmpty()) {
                SequenceProgress p = updates.poll(PROGRESS_POLL_MS, TimeUnit.MILLISECONDS);
                if (p != null) {
                    out.println(progressLine(p));
                    out.flush();
                }
            }
            return sequenceResult(result.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "stopped waiting: the sequence goes on in the background (see 'sets')\n";
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof CameraException ce) {
                throw ce;
            }
            return "error: sequence failed: " + (cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : cause.getMessage()) + "\n";
        }
    }

    static String progressLine(SequenceProgress p) {
        String step = "[" + p.step() + "/" + p.total() + "]";
        String light = p.currentLight() == null ? "" : " " + p.currentLight();
        return switch (p.status()) {
            case "started" -> "started " + p.setFolder() + ", " + p.total() + " steps";
            case "capturing" -> step + light + " capturing";
            case "captured" -> step + light + " captured";
            case "failed" -> step + " failed: " + p.errorDetail();
            default -> step + " " + p.status();
        };
    }

    private static String sequenceResult(SequenceResult r) {
        StringBuilder out = new StringBuilder();
        if (r.success()) {
            out.append("done: ").append(r.message()).append('\n');
        } else {
            out.append("error: ").append(r.error() != null ? r.error() : r.message()).append('\n');
            if (!r.images().isEmpty()) {
                out.append("kept ").append(r.images().size()).append(" images in ").append(r.setFolder())
                        .append(":\n");
            }
        }
        for (String image : r.images()) {
            out.append("  ").append(image).append('\n');
        }
        return out.toString();
    }

    private static String written(String camera, Setting s) {
        return camera + " " + s.name() + " = " + DisplayValues.settingValue(s) + "\n";
    }

    private LightController lightController() {
        LightController controller = lights;
        if (controller == null) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE,
                    "no light controller is running (install a lights bundle)");
        }
        return controller;
    }

    private String batch(BatchResult result) {
        StringBuilder out = new StringBuilder();
        if (!result.results().isEmpty()) {
            out.append(captureTable(result.results()).render());
        }
        new TreeMap<>(result.errors()).forEach((camera, message) -> out.append("error: ").append(camera)
                .append(": ").append(message).append('\n'));
        if (result.results().isEmpty() && result.errors().isEmpty()) {
            out.append("no camera took a picture\n");
        }
        if (result.skewNanos() != null) {
            out.append("skew: ").append(DisplayValues.nanosAsMillis(result.skewNanos())).append('\n');
        }
        return out.toString();
    }

    private static TextTable captureTable(List<CaptureResult> results) {
        TextTable table = new TextTable("CAMERA", "SIZE", "FILE", "BYTES").alignRight(3);
        for (CaptureResult r : results) {
            table.row(r.camera(), r.width() + "x" + r.height(), r.stored().path(),
                    DisplayValues.bytes(r.stored().size()));
        }
        return table;
    }

    private static String deviceTree(String driver, List<DeviceInfo> devices) {
        if (devices.isEmpty()) {
            return driver + ": no devices\n";
        }
        StringBuilder out = new StringBuilder();
        for (DeviceInfo d : devices) {
            out.append(driver).append(": ").append(d.device());
            if (!d.name().equals(d.device())) {
                out.append(" (").append(d.name()).append(')');
            }
            out.append('\n');
            new TreeMap<>(d.properties()).forEach((k, v) -> out.append("  ").append(k).append(": ").append(v)
                    .append('\n'));
            for (DeviceInfo.Format f : d.formats()) {
                out.append("  ").append(f.fourcc());
                if (f.description() != null && !f.description().isBlank() && !f.description().equals(f.fourcc())) {
                    out.append(" (").append(f.description()).append(')');
                }
                out.append('\n');
                for (DeviceInfo.Size s : f.sizes()) {
                    out.append("    ").append(s.width()).append('x').append(s.height());
                    if (!s.fps().isEmpty()) {
                        out.append(": ").append(s.fps().stream().map(DisplayValues::decimal)
                                .collect(Collectors.joining(", "))).append(" fps");
                    }
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }

    private static String state(CameraStatus c) {
        return c.state().name().toLowerCase(Locale.ROOT);
    }

    private static int limit(String text) {
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_CAPTURE_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw CameraException.invalid("limit", "limit must be a number from 1 to " + MAX_CAPTURE_LIMIT + ", not '"
                + text + "'");
    }

    /** {@code key: value} lines, values aligned; {@code null} values print as {@code -}. */
    private static String keyValues(Map<String, Object> fields) {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder out = new StringBuilder();
        fields.forEach((k, v) -> out.append((k + ":" + " ".repeat(width - k.length() + 1) + (v == null ? "-" : v))
                .stripTrailing()).append('\n'));
        return out.toString();
    }
}
