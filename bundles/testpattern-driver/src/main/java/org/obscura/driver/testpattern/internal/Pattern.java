package org.obscura.driver.testpattern.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The pictures a test-pattern camera can draw; each moves from frame to frame. */
enum Pattern {
    /** Colour bars over a grey ramp, with a sweeping stripe and a bouncing box. */
    BARS("bars"),
    /** A rainbow that scrolls diagonally and fades to black at the bottom. */
    GRADIENT("gradient"),
    /** A scrolling checkerboard with a disc orbiting the centre. */
    CHECKERS("checkers");

    private final String id;

    Pattern(String id) {
        this.id = id;
    }

    /** The configuration and setting value, e.g. {@code "bars"}. */
    String id() {
        return id;
    }

    static Optional<Pattern> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.id.equals(t)).findFirst();
    }

    /** The ids, in order, for messages and menus. */
    static List<String> ids() {
        return Arrays.stream(values()).map(Pattern::id).toList();
    }
}
