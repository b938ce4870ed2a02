/**
 * Obscura's public API: the services through which bundles meet (camera registry, live frames, captures,
 * image store, image sets, lights, metadata, sequences, descriptions of HTTP routes), the value types they
 * exchange, and the Event Admin topics.
 *
 * <p>Services marked {@code @ProviderType} are implemented by Obscura itself; third parties call them.
 * Types marked {@code @ConsumerType} ({@link org.obscura.camera.api.LightController},
 * {@link org.obscura.camera.api.MetadataProvider}, {@link org.obscura.camera.api.ApiDescription}) are meant
 * to be implemented by third parties too.
 */
@Export
@Version("1.2.0")
package org.obscura.camera.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
