package org.obscura.driver.testpattern.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.spi.CameraDevice;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test-pattern driver: synthetic cameras that need no hardware ({@link TestPatternCamera}, configured
 * as factory configurations of {@link TestPatternCamera#FACTORY_PID}), and folders of JPEG files played as
 * cameras.
 *
 * <h2>Discovery</h2>
 * {@link #discover()} lists the synthetic device {@code pattern} with its formats, sizes and rates, and,
 * when the driver configuration names a {@code folders.root}, one device {@code folder:<absolute path>} for
 * that folder and for each of its sub-folders that holds JPEG files.
 *
 * <h2>The built-in camera</h2>
 * So that a server with no configuration at all still shows a live stream, the driver itself can run a
 * camera named {@code testpattern} (640x480 YUYV at 15 fps, colour bars), registered as a CameraDevice with
 * the extra service property {@code camera.builtin=true}. The driver configuration (PID
 * {@value #PID}) property {@code builtin.camera} decides when:
 * <ul>
 * <li>{@code auto} (default): only while no other camera service, of any driver, is registered. It appears
 * once there has been none for {@value BuiltinCamera#SETTLE_MILLIS} ms (so real cameras registering a moment
 * after start-up, or a driver bundle being updated, do not make it flap) and is withdrawn as soon as another
 * camera appears;</li>
 * <li>{@code on}: always (except while another camera is itself named {@code testpattern});</li>
 * <li>{@code off}: never.</li>
 * </ul>
 * Other cameras are followed through a dynamic reference that ignores built-in cameras, without getting
 * their service objects. Registration happens on a thread of its own, never inside the service event that
 * prompted it: see {@link BuiltinCamera}.
 */
@Component(service = CameraDriver.class, property = CameraDriver.DRIVER_ID + "=" + TestPatternDriver.ID,
        configurationPid = TestPatternDriver.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = TestPatternDriver.Config.class)
public final class TestPatternDriver implements CameraDriver {

    /** The driver id. */
    public static final String ID = "testpattern";
    /** PID of the driver's own configuration. */
    public static final String PID = "org.obscura.driver.testpattern";
    /** Driver property: when to run the built-in camera, {@code auto}, {@code on} or {@code off}. */
    static final String BUILTIN_CAMERA = "builtin.camera";

    static final List<Double> RATES = List.of(60.0, 30.0, 25.0, 15.0, 10.0, 5.0, 1.0);
    private static final int[][] SIZES = { { 320, 240 }, { 640, 360 }, { 640, 480 }, { 1280, 720 }, { 1920, 1080 } };

    private static final Logger LOG = LoggerFactory.getLogger(TestPatternDriver.class);

    /** The driver's configuration. */
    @ObjectClassDefinition(name = "Test pattern driver",
            description = "Synthetic cameras and folders of JPEG files played as cameras; no hardware needed.")
    public @interface Config {

        @AttributeDefinition(name = "Built-in camera", description = "When to run the built-in camera "
                + "'testpattern' (640x480, 15 fps), so that a server without cameras still shows a live stream.",
                options = {
                    @Option(label = "Automatic: only while no other camera is registered", value = "auto"),
                    @Option(label = "Always", value = "on"),
                    @Option(label = "Never", value = "off")
                })
        String builtin_camera() default "auto";

        @AttributeDefinition(name = "JPEG folders root", description = "A folder whose sub-folders of JPEG files "
                + "discovery offers as cameras (each played in a loop); none when empty.", required = false)
        String folders_root() default "";
    }

    private final BuiltinCamera builtin;
    private volatile Path foldersRoot;

    @Activate
    public TestPatternDriver(BundleContext context, Config config) {
        this(root(config.folders_root()), new BuiltinCamera(mode(config.builtin_camera()), (camera, properties) -> {
            ServiceRegistration<CameraDevice> registration = context.registerService(CameraDevice.class, camera,
                    new Hashtable<>(properties));
            return () -> {
                try {
                    registration.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // unregistered with the bundle
                }
            };
        }, BuiltinCamera.Scheduler.thread("testpattern-builtin"), BuiltinCamera::defaultCamera,
                BuiltinCamera.SETTLE_MILLIS));
    }

    /** @param foldersRoot the folders discovery looks in, or {@code null} */
    TestPatternDriver(Path foldersRoot, BuiltinCamera builtin) {
        this.foldersRoot = foldersRoot;
        this.builtin = builtin;
    }

    @Modified
    void modified(Config config) {
        foldersRoot = root(config.folders_root());
        builtin.mode(mode(config.builtin_camera()));
    }

    @Deactivate
    void deactivate() {
        builtin.close();
    }

    @Reference(service = CameraDevice.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, target = "(!(" + TestPatternCamera.BUILTIN + "=true))",
            unbind = "removeCamera", updated = "updatedCamera")
    void addCamera(ServiceReference<CameraDevice> camera) {
        builtin.cameraAdded(camera, nameOf(camera));
    }

    void updatedCamera(ServiceReference<CameraDevice> camera) {
        builtin.cameraAdded(camera, nameOf(camera));
    }

    void removeCamera(ServiceReference<CameraDevice> camera) {
        builtin.cameraRemoved(camera);
    }

    private static String nameOf(ServiceReference<?> camera) {
        Object name = camera.getProperty(CameraConfig.CAMERA_NAME);
        return name == null ? "" : name.toString();
    }

    private static BuiltinCamera.Mode mode(String text) {
        try {
            return BuiltinCamera.Mode.parse(text);
        } catch (CameraException e) {
            LOG.warn("{}; using auto", e.getMessage());
            return BuiltinCamera.Mode.AUTO;
        }
    }

    private static Path root(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Path.of(text.strip()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            LOG.warn("folders.root '{}' is not a valid path: {}", text, e.getReason());
            return null;
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Test pattern and JPEG folder";
    }

    @Override
    public String factoryPid() {
        return TestPatternCamera.FACTORY_PID;
    }

    @Override
    public String status() {
        Path root = foldersRoot;
        if (root != null && !Files.isDirectory(root)) {
            return "ready; the JPEG folders root '" + root + "' is not a folder";
        }
        return "ready";
    }

    @Override
    public List<DeviceInfo> discover() {
        List<DeviceInfo> devices = new ArrayList<>();
        devices.add(patternDevice());
        Path root = foldersRoot;
        if (root != null && Files.isDirectory(root)) {
            List<Path> candidates = new ArrayList<>();
            candidates.add(root);
            try {
                candidates.addAll(JpegFolder.subfolders(root));
            } catch (IOException e) {
                LOG.warn("cannot list the JPEG folders root {}: {}", root, e.toString());
            }
            for (Path dir : candidates) {
                DeviceInfo device = folderDevice(dir);
                if (device != null) {
                    devices.add(device);
                }
            }
        }
        return devices;
    }

    private static DeviceInfo patternDevice() {
        List<DeviceInfo.Size> sizes = new ArrayList<>();
        for (int[] s : SIZES) {
            sizes.add(new DeviceInfo.Size(s[0], s[1], RATES));
        }
        return new DeviceInfo(ID, CameraSetup.PATTERN_DEVICE, "Test pattern",
                Map.of("patterns", String.join(", ", Pattern.ids())),
                List.of(new DeviceInfo.Format("YUYV", "YUYV 4:2:2", sizes),
                        new DeviceInfo.Format("MJPG", "Motion-JPEG", sizes)));
    }

    /** The folder as a device, or {@code null} when it holds no readable JPEG. */
    private static DeviceInfo folderDevice(Path dir) {
        JpegFolder.Size size = JpegFolder.firstImageSize(dir);
        if (size == null) {
            return null;
        }
        int files;
        try {
            files = JpegFolder.list(dir).size();
        } catch (IOException e) {
            return null;
        }
        Path path = dir.toAbsolutePath().normalize();
        return new DeviceInfo(ID, CameraSetup.FOLDER_DEVICE_PREFIX + path, "JPEG folder " + path.getFileName(),
                Map.of("path", path.toString(), "files", files),
                List.of(new DeviceInfo.Format("MJPG", "JPEG files, passed through",
                        List.of(new DeviceInfo.Size(size.width(), size.height(), RATES)))));
    }

    /**
     * Checks a camera configuration: name, size (16..3840 x 16..2160, even width for YUYV), rate (0.1..120),
     * format (YUYV or JPEG), pattern, JPEG quality, and that a configured folder exists and holds a readable
     * JPEG file.
     */
    @Override
    public void validate(Map<String, Object> configuration) {
        Map<String, Object> properties = configuration == null ? Map.of() : configuration;
        CameraSetup setup = CameraSetup.parse(properties);
        Path folder = setup.folder();
        if (folder == null) {
            return;
        }
        Object folderProperty = properties.get(CameraSetup.FOLDER);
        String field = folderProperty != null && !folderProperty.toString().isBlank() ? CameraSetup.FOLDER
                : CameraSetup.DEVICE;
        if (!Files.isDirectory(folder)) {
            throw CameraException.invalid(field, "folder '" + folder + "' does not exist or is not a folder");
        }
        if (!JpegFolder.holdsJpegs(folder)) {
            throw CameraException.invalid(field,
                    "folder '" + folder + "' holds no readable JPEG file (*.jpg, *.jpeg): add some or pick another");
        }
    }
}
