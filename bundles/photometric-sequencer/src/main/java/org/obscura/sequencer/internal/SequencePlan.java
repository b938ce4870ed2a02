package org.obscura.sequencer.internal;

import java.time.Duration;
import java.util.List;

/**
 * A validated sequence, ready to run: every name in it is safe as part of a file name.
 *
 * @param set     the set's folder name
 * @param lights  one step per light, in order
 * @param cameras cameras capturing at every step, at least one
 * @param settle  delay between switching a light on and capturing
 */
record SequencePlan(String set, List<String> lights, List<String> cameras, Duration settle) {
    SequencePlan {
        lights = List.copyOf(lights);
        cameras = List.copyOf(cameras);
    }

    String folder() {
        return SetNames.SETS + "/" + set;
    }
}
