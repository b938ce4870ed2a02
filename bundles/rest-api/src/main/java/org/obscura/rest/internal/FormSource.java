package org.obscura.rest.internal;

import java.util.Optional;

import org.osgi.service.metatype.ObjectClassDefinition;

/** Finds the metatype object class definition that describes a driver's camera configurations. */
@FunctionalInterface
interface FormSource {

    /**
     * @param driverId   the driver's id (its bundle is the first place to look)
     * @param factoryPid the driver's factory PID
     * @return the definition, or empty when no bundle describes that factory PID
     */
    Optional<ObjectClassDefinition> definition(String driverId, String factoryPid);
}
