/**
 * A kit for third-party camera drivers: what every driver otherwise writes again.
 *
 * <ul>
 * <li>{@link org.obscura.camera.spi.support.CameraConfigs}: reads and validates the configuration
 * properties every camera has (name, label, stereo, stereo order, interrupt service, enabled) and holds the
 * metatype texts for them, so a driver's configuration interface only adds its own attributes.</li>
 * <li>{@link org.obscura.camera.spi.support.AbstractCameraDevice}: the start/stop contract of
 * {@link org.obscura.camera.spi.CameraDevice} with one delivery thread per stream, the guarantee that no
 * sink call follows {@code stop()}, failure reporting, frame pacing and "wait for the next frame".</li>
 * <li>{@link org.obscura.camera.spi.support.CameraRegistration}: registers a device as a
 * {@code CameraDevice} service with the {@code camera.name} / {@code camera.driver} properties the core
 * looks for, and unregisters it.</li>
 * <li>{@link org.obscura.camera.spi.support.BufferPool} and {@link org.obscura.camera.spi.support.JpegSize}:
 * recycled frame buffers and the size of a JPEG image from its header.</li>
 * </ul>
 *
 * A driver bundle is then one {@code CameraDriver} component, one camera component extending
 * {@code AbstractCameraDevice}, and one configuration interface; see {@code docs/writing-a-driver.md}.
 */
@Export
@Version("1.0.0")
package org.obscura.camera.spi.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
