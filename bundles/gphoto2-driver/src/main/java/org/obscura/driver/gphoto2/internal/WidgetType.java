package org.obscura.driver.gphoto2.internal;

import org.obscura.camera.api.SettingType;

/** The kinds of libgphoto2 configuration widget that carry a setting, and how each shows in the settings model. */
enum WidgetType {
    /** Free text; read-only ones are status values (battery level, serial number). */
    TEXT(LibGphoto2.GP_WIDGET_TEXT, SettingType.TEXT),
    /** A float between min and max in steps. */
    RANGE(LibGphoto2.GP_WIDGET_RANGE, SettingType.RANGE),
    /** On/off. libgphoto2 also uses 2 for "unknown", shown as a {@code null} value. */
    TOGGLE(LibGphoto2.GP_WIDGET_TOGGLE, SettingType.BOOLEAN),
    /** One of a list of choices. */
    RADIO(LibGphoto2.GP_WIDGET_RADIO, SettingType.MENU),
    /** One of a list of choices (same as RADIO). */
    MENU(LibGphoto2.GP_WIDGET_MENU, SettingType.MENU),
    /** An action; writing any value runs it. */
    BUTTON(LibGphoto2.GP_WIDGET_BUTTON, SettingType.BUTTON),
    /**
     * A date and time, seconds since the epoch in libgphoto2; shown as TEXT holding an ISO-8601 instant
     * ({@code 2025-01-02T03:04:05Z}) because the settings model has no date type.
     */
    DATE(LibGphoto2.GP_WIDGET_DATE, SettingType.TEXT);

    private final int code;
    private final SettingType settingType;

    WidgetType(int code, SettingType settingType) {
        this.code = code;
        this.settingType = settingType;
    }

    SettingType settingType() {
        return settingType;
    }

    /** The widget type for a libgphoto2 code, or {@code null} for windows and sections (containers). */
    static WidgetType of(int code) {
        for (WidgetType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
