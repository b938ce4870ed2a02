package org.obscura.examples.httpmjpeg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.spi.CameraDriver;
import org.obscura.camera.spi.support.CameraConfigs;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The HTTP MJPEG driver: cameras are factory configurations of {@link HttpMjpegCamera#FACTORY_PID}. HTTP
 * streams cannot be discovered, so {@link #discover()} lists the stream URLs of the driver's own
 * configuration (PID {@value #PID}, {@code urls}), if any, for forms to offer.
 */
@Component(service = CameraDriver.class, property = CameraDriver.DRIVER_ID + "=" + HttpMjpegDriver.ID,
        configurationPid = HttpMjpegDriver.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = HttpMjpegDriver.Config.class)
public final class HttpMjpegDriver implements CameraDriver {

    /** The driver id. */
    public static final String ID = "httpmjpeg";
    /** PID of the driver's own configuration. */
    public static final String PID = "org.obscura.examples.httpmjpeg";

    /** The driver's configuration. */
    @ObjectClassDefinition(name = "HTTP MJPEG driver", description = "Cameras from HTTP MJPEG streams.")
    public @interface Config {
        @AttributeDefinition(name = "Known streams", description = "Stream URLs that device discovery offers.",
                required = false)
        String[] urls() default {};
    }

    private volatile List<String> urls;

    @Activate
    public HttpMjpegDriver(Config config) {
        modified(config);
    }

    @Modified
    void modified(Config config) {
        List<String> list = new ArrayList<>();
        for (String u : config.urls()) {
            if (u != null && !u.isBlank()) {
                list.add(u.strip());
            }
        }
        urls = List.copyOf(list);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "HTTP MJPEG streams (ESP32-CAM, IP cameras, Obscura)";
    }

    @Override
    public String factoryPid() {
        return HttpMjpegCamera.FACTORY_PID;
    }

    /** The configured stream URLs that are valid, as devices; MJPEG of unknown sizes. */
    @Override
    public List<DeviceInfo> discover() {
        List<DeviceInfo> devices = new ArrayList<>();
        for (String u : urls) {
            try {
                StreamSource s = StreamSource.parse(Map.of(StreamSource.URL, u));
                devices.add(new DeviceInfo(ID, s.toString(), "MJPEG stream at " + s.url().getHost(),
                        Map.of("host", s.url().getHost()),
                        List.of(new DeviceInfo.Format("MJPG", "Motion-JPEG over HTTP", List.of()))));
            } catch (CameraException e) {
                // a bad entry in the driver configuration is not a device
            }
        }
        return devices;
    }

    /** Checks the name and the common properties, the URL, timeouts and rate. Opens no connection. */
    @Override
    public void validate(Map<String, Object> configuration) {
        Map<String, Object> p = configuration == null ? Map.of() : configuration;
        CameraConfigs.read(p);
        StreamSource.parse(p);
    }
}
