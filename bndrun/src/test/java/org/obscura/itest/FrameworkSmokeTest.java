package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The framework runs with Declarative Services and Configuration Admin, and every Obscura bundle
 * is active.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class FrameworkSmokeTest {

    @InjectBundleContext
    BundleContext context;

    // Generous, as every wait of these tests: the machine may be a busy two-core box.
    @InjectService(timeout = 30_000)
    ServiceComponentRuntime scr;

    @InjectService(timeout = 30_000)
    ConfigurationAdmin configurationAdmin;

    @Test
    void declarativeServicesRuns() {
        assertNotNull(scr);
    }

    @Test
    void configurationAdminRuns() {
        assertNotNull(configurationAdmin);
    }

    @Test
    void obscuraBundlesAreActive() {
        Map<String, Bundle> bundles = Arrays.stream(context.getBundles())
            .collect(Collectors.toMap(Bundle::getSymbolicName, Function.identity(), (a, b) -> a));
        for (String bsn : new String[] {
            "org.obscura.camera.api", "org.obscura.camera.core", "org.obscura.driver.testpattern", "org.obscura.rest"
        }) {
            Bundle bundle = bundles.get(bsn);
            assertNotNull(bundle, bsn + " is not installed");
            assertEquals(Bundle.ACTIVE, bundle.getState(), bsn + " is not active");
        }
    }
}
