package org.obscura.rest.internal;

import java.util.Arrays;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Reads a driver's form from the OSGi MetaType service: first from the bundle that registered the driver
 * service, then, for a driver that keeps its camera component in another bundle, from any bundle whose
 * metatype declares the factory PID. Definitions are read in the default locale. Thread-safe.
 */
final class MetaTypeFormSource implements FormSource {

    private final MetaTypeService metaType;
    private final BundleContext context;
    private final DriverDirectory drivers;

    MetaTypeFormSource(MetaTypeService metaType, BundleContext context, DriverDirectory drivers) {
        this.metaType = metaType;
        this.context = context;
        this.drivers = drivers;
    }

    @Override
    public Optional<ObjectClassDefinition> definition(String driverId, String factoryPid) {
        Optional<ObjectClassDefinition> found = drivers.find(driverId)
                .map(DriverDirectory.Entry::bundle)
                .flatMap(b -> from(b, factoryPid));
        if (found.isPresent()) {
            return found;
        }
        for (Bundle b : context.getBundles()) {
            found = from(b, factoryPid);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private Optional<ObjectClassDefinition> from(Bundle bundle, String factoryPid) {
        if (bundle == null || bundle.getState() == Bundle.UNINSTALLED) {
            return Optional.empty();
        }
        try {
            MetaTypeInformation info = metaType.getMetaTypeInformation(bundle);
            if (info == null || info.getFactoryPids() == null
                    || !Arrays.asList(info.getFactoryPids()).contains(factoryPid)) {
                return Optional.empty();
            }
            return Optional.ofNullable(info.getObjectClassDefinition(factoryPid, null));
        } catch (IllegalArgumentException | IllegalStateException e) {
            // The bundle went away or withdrew the PID between the two calls.
            return Optional.empty();
        }
    }
}
