package org.obscura.camera.api;

import java.time.Duration;
import java.util.List;

/**
 * A light-by-light capture sequence (photometric stereo).
 *
 * @param lights  the lights, one step each, in order; a step switches only its light on
 * @param prefix  optional prefix of the set folder name, {@code null} for none
 * @param cameras cameras capturing at each step; empty for the default camera
 * @param settle  delay between switching a light on and capturing, {@code null} for the configured default
 */
public record SequenceRequest(List<String> lights, String prefix, List<String> cameras, Duration settle) {
    public SequenceRequest {
        lights = lights == null ? List.of() : List.copyOf(lights);
        cameras = cameras == null ? List.of() : List.copyOf(cameras);
    }
}
