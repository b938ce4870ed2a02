package org.obscura.ws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;

class SettingsTest {

    private static WebSocketApi.Config config(double interval, int maxMessage) {
        return new WebSocketApi.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return WebSocketApi.Config.class;
            }

            @Override
            public double liveview_frame_interval() {
                return interval;
            }

            @Override
            public int max_message_size() {
                return maxMessage;
            }

            @Override
            public int max_pending_requests() {
                return 32;
            }

            @Override
            public int max_connections() {
                return 64;
            }

            @Override
            public int idle_timeout() {
                return 60;
            }
        };
    }

    @Test
    void theEnvironmentVariableOverridesTheConfiguredInterval() {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(50), WebSocketApi.Settings.of(config(0.05, 65536), null)
                .liveviewIntervalNanos());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(200), WebSocketApi.Settings.of(config(0.05, 65536), " 0.2 ")
                .liveviewIntervalNanos());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(50), WebSocketApi.Settings.of(config(0.05, 65536), "fast")
                .liveviewIntervalNanos(), "a value that is not a number is ignored");
        assertEquals(Duration.ofSeconds(60), WebSocketApi.Settings.of(config(0.05, 65536), null).idleTimeout());
    }

    @Test
    void outOfRangeValuesNameTheProperty() {
        assertEquals("liveview.frame.interval", assertThrows(CameraException.class,
                () -> WebSocketApi.Settings.of(config(-1, 65536), null)).field());
        assertEquals("liveview.frame.interval", assertThrows(CameraException.class,
                () -> WebSocketApi.Settings.of(config(0.05, 65536), "NaN")).field());
        assertEquals("max.message.size", assertThrows(CameraException.class,
                () -> WebSocketApi.Settings.of(config(0.05, 10), null)).field());
    }
}
