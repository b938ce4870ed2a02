/**
 * The driver SPI: what a camera driver bundle implements.
 *
 * <p>A driver bundle registers one {@link org.obscura.camera.spi.CameraDriver} service, and one
 * {@link org.obscura.camera.spi.CameraDevice} service per configured camera (typically a Declarative
 * Services factory component bound to a ConfigAdmin factory configuration of the driver's factory PID,
 * described by metatype). The core discovers these services dynamically: a driver bundle can be
 * installed, updated or removed while the server runs, and viewers of its cameras stay connected.
 */
@Export
@Version("1.0.0")
package org.obscura.camera.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
