package org.obscura.driver.gphoto2.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.CameraException.Kind;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.spi.CameraDriver;
import org.osgi.service.component.annotations.Component;

/**
 * The gphoto2 driver: DSLRs and mirrorless cameras through libgphoto2. Registered whether or not the
 * library is installed; without it, {@link #available()} is false, {@link #status()} says which package to
 * install, and no camera component can start.
 */
@Component(service = CameraDriver.class, property = CameraDriver.DRIVER_ID + "=" + Gphoto2Driver.ID)
public final class Gphoto2Driver implements CameraDriver {

    /** Driver id. */
    public static final String ID = "gphoto2";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "DSLR and mirrorless cameras (gphoto2)";
    }

    @Override
    public String factoryPid() {
        return Gphoto2Camera.FACTORY_PID;
    }

    @Override
    public boolean available() {
        return Gphoto2Library.unavailableReason() == null;
    }

    @Override
    public String status() {
        String reason = Gphoto2Library.unavailableReason();
        return reason == null ? "ready (libgphoto2 " + Gphoto2Library.load().version() + ")" : reason;
    }

    /**
     * The cameras libgphoto2's auto-detection sees on USB now: {@code device} is the port to configure
     * ({@code usb:BBB,DDD}) and {@code name} the model. Cameras on PTP/IP are never detected: configure
     * their {@code ptpip:} port by hand. Detection does not open the cameras, so streaming ones are not
     * disturbed.
     */
    @Override
    public List<DeviceInfo> discover() {
        Gphoto2Library library = Gphoto2Library.load();
        List<DeviceInfo> found = new ArrayList<>();
        for (Gphoto2Library.Detected d : library.detect()) {
            found.add(new DeviceInfo(ID, d.port(), d.model(), Map.of("model", d.model(), "port", d.port()),
                    List.of()));
        }
        return found;
    }

    @Override
    public void validate(Map<String, Object> configuration) {
        if (configuration == null) {
            throw new CameraException(Kind.INVALID_ARGUMENT, "configuration is missing");
        }
        Gphoto2Setup.from(configuration);
    }
}
