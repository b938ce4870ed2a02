package org.obscura.camera.core.internal.hub;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

import org.obscura.camera.core.internal.EventPublisher;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;

/**
 * What every hub of a registry shares.
 *
 * @param settings current tunables
 * @param encoder  encodes raw frames for {@link org.obscura.camera.api.LiveFrame#jpeg()}
 * @param timer    only schedules (linger, retry, no-signal ticks); work it triggers runs on {@code workers}
 * @param workers  runs device calls (start/stop may block for seconds), listener delivery and rendering; must
 *                 grow as needed so that one hub's stuck device or listener never holds up another hub
 * @param events   where state changes are posted
 */
public record HubEnvironment(Supplier<HubSettings> settings, JpegEncoder encoder, ScheduledExecutorService timer,
        Executor workers, EventPublisher events) {
}
