package org.obscura.camera.spi.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.Frame;
import org.obscura.camera.spi.CameraDevice;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

class CameraRegistrationTest {

    @Test
    void registersWithNameDriverAndPidsAndUnregistersOnce() {
        AtomicReference<Object> service = new AtomicReference<>();
        AtomicReference<Dictionary<?, ?>> properties = new AtomicReference<>();
        AtomicInteger unregistered = new AtomicInteger();
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ServiceRegistration.class }, (p, m, a) -> {
                    if (m.getName().equals("unregister")) {
                        if (unregistered.incrementAndGet() > 1) {
                            throw new IllegalStateException("already unregistered");
                        }
                    }
                    return null;
                });
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { BundleContext.class }, (p, m, a) -> {
                    if (m.getName().equals("registerService")) {
                        assertEquals(CameraDevice.class, a[0]);
                        service.set(a[1]);
                        properties.set((Dictionary<?, ?>) a[2]);
                        return registration;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
        CameraDevice device = new AbstractCameraDevice(AbstractCameraDeviceTest.descriptor(10)) {
            @Override
            protected void stream(Stream stream) {
            }

            @Override
            public Frame captureStill() {
                return null;
            }
        };
        CameraRegistration r = CameraRegistration.register(context, device, "http",
                Map.of("service.pid", "x.123", "service.factoryPid", "x", "name", "cam", "url", "http://a"),
                Map.of("camera.extra", "yes"));
        assertSame(device, service.get());
        Dictionary<?, ?> p = properties.get();
        assertEquals("cam", p.get("camera.name"));
        assertEquals("http", p.get("camera.driver"));
        assertEquals("x.123", p.get("service.pid"));
        assertEquals("x", p.get("service.factoryPid"));
        assertEquals("yes", p.get("camera.extra"));
        assertEquals(null, p.get("url"), "configuration values are not service properties");
        assertTrue(r.registered());
        r.close();
        r.close();
        assertFalse(r.registered());
        assertEquals(1, unregistered.get());
    }
}
