package org.obscura.camera.api;

/** The kinds of camera setting in the generic settings model. */
public enum SettingType {
    /** Free text. */
    TEXT,
    /** Integer within {@code min..max} in steps of {@code step}. */
    INTEGER,
    /** Decimal number within {@code min..max} (gphoto2 ranges). */
    RANGE,
    /** On or off. */
    BOOLEAN,
    /** One of {@code options}. */
    MENU,
    /** An action with no value (V4L2 button controls, gphoto2 buttons); writing any value triggers it. */
    BUTTON
}
