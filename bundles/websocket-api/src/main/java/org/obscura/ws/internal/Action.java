package org.obscura.ws.internal;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The actions a client may send, named exactly as the protocol spells them. {@link #mutating} marks the actions
 * that change something outside the socket itself (a camera setting, a stored file, a light): the ones an
 * {@link AccessPolicy} restricts to administrators.
 */
enum Action {
    /** Authenticates the socket with a token: {@code {"token": "..."}}. */
    AUTH(false),
    GET_CAMERAS(false),
    SELECT_CAMERA(false),
    DESELECT_CAMERA(false),
    GET_CONFIG(false),
    SET_CONFIG(true),
    CAPTURE_IMAGE(true),
    START_LIVEVIEW(false),
    STOP_LIVEVIEW(false),
    GET_LIGHT_STATES(false),
    SET_LIGHT_STATE(true),
    CAPTURE_PHOTOMETRIC_SET(true),
    LIST_IMAGE_SETS(false),
    GET_IMAGE_SET_CONTENTS(false),
    DELETE_IMAGE_SET(true),
    GET_IMAGE_DATA(false),
    SUBSCRIBE_EVENTS(false),
    UNSUBSCRIBE_EVENTS(false);

    /** Every action name, comma-separated, for error messages. */
    static final String NAMES = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

    private final boolean mutating;

    Action(boolean mutating) {
        this.mutating = mutating;
    }

    /** Whether this action changes state beyond the socket's own (selection, liveview, event subscription). */
    boolean mutating() {
        return mutating;
    }

    /** The action with exactly this name, or {@code null}. */
    static Action named(String name) {
        for (Action a : values()) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        return null;
    }
}
