package org.obscura.driver.gphoto2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;

class SettingValuesTest {

    private static final Setting ISO = new Setting("iso", "ISO Speed", SettingType.MENU, "100",
            List.of("Auto", "100", "200", "400"), null, null, null, false, "imgsettings");
    private static final Setting ZOOM = new Setting("zoom", "Zoom", SettingType.RANGE, 1.0, List.of(), 1.0, 10.0,
            0.5, false, "capturesettings");

    private static CameraException invalid(Setting s, WidgetType w, Object value) {
        CameraException e = assertThrows(CameraException.class, () -> SettingValues.parse(s, w, value));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        assertEquals(s.name(), e.field());
        return e;
    }

    @Test
    void menuValuesMustBeAmongTheOptions() {
        assertEquals("400", SettingValues.parse(ISO, WidgetType.RADIO, "400"));
        assertEquals("400", SettingValues.parse(ISO, WidgetType.RADIO, 400));
        assertEquals("400", SettingValues.parse(ISO, WidgetType.RADIO, 400.0)); // JSON numbers
        assertEquals("Auto", SettingValues.parse(ISO, WidgetType.RADIO, " auto "));
        CameraException e = invalid(ISO, WidgetType.RADIO, "123");
        assertTrue(e.getMessage().contains("'123' is not one of its options: Auto, 100, 200, 400"), e.getMessage());
    }

    @Test
    void longOptionListsAreShortenedInMessages() {
        List<String> many = java.util.stream.IntStream.range(0, 100).mapToObj(Integer::toString).toList();
        Setting s = new Setting("shutterspeed", null, SettingType.MENU, "1", many, null, null, null, false, null);
        assertTrue(invalid(s, WidgetType.MENU, "x").getMessage().endsWith("... (100 in all)"));
    }

    @Test
    void rangeValuesAreCheckedAgainstMinMaxAndStep() {
        assertEquals(2.5f, SettingValues.parse(ZOOM, WidgetType.RANGE, "2.5"));
        assertEquals(10f, SettingValues.parse(ZOOM, WidgetType.RANGE, 10));
        assertTrue(invalid(ZOOM, WidgetType.RANGE, 11).getMessage().contains("outside 1 to 10 in steps of 0.5"));
        assertTrue(invalid(ZOOM, WidgetType.RANGE, "2.3").getMessage().contains("not on the steps"));
        assertTrue(invalid(ZOOM, WidgetType.RANGE, "wide").getMessage().contains("not a number"));
        invalid(ZOOM, WidgetType.RANGE, Double.NaN);
    }

    @Test
    void togglesTakeBooleansAndTheirUsualSpellings() {
        Setting s = new Setting("autofocus", null, SettingType.BOOLEAN, false, null, null, null, null, false, null);
        assertEquals(1, SettingValues.parse(s, WidgetType.TOGGLE, true));
        assertEquals(0, SettingValues.parse(s, WidgetType.TOGGLE, "off"));
        assertEquals(1, SettingValues.parse(s, WidgetType.TOGGLE, "1"));
        invalid(s, WidgetType.TOGGLE, "maybe");
    }

    @Test
    void datesTakeIsoInstantsEpochSecondsOrNow() {
        Setting s = new Setting("datetime", null, SettingType.TEXT, "", null, null, null, null, false, null);
        assertEquals(1735787045L, SettingValues.parse(s, WidgetType.DATE, "2025-01-02T03:04:05Z"));
        assertEquals(1735787045L, SettingValues.parse(s, WidgetType.DATE, "2025-01-02T04:04:05+01:00"));
        assertEquals(1735787045L, SettingValues.parse(s, WidgetType.DATE, "1735787045"));
        long before = Instant.now().getEpochSecond();
        long now = (Long) SettingValues.parse(s, WidgetType.DATE, "now");
        long after = Instant.now().getEpochSecond();
        assertTrue(before <= now && now <= after, before + " <= " + now + " <= " + after);
        assertTrue(invalid(s, WidgetType.DATE, "tomorrow").getMessage().contains("ISO-8601"));
        assertEquals("2025-01-02T03:04:05Z", SettingValues.formatDate(1735787045L));
    }

    @Test
    void readOnlySettingsAndMissingValuesAreRefused() {
        Setting battery = new Setting("batterylevel", null, SettingType.TEXT, "80%", null, null, null, null, true,
                "status");
        assertTrue(invalid(battery, WidgetType.TEXT, "100%").getMessage().contains("read-only"));
        invalid(ISO, WidgetType.RADIO, null);
    }

    @Test
    void buttonsTakeAnyValue() {
        Setting s = new Setting("autofocusdrive", null, SettingType.BUTTON, null, null, null, null, null, false, null);
        assertNull(SettingValues.parse(s, WidgetType.BUTTON, null));
        assertNull(SettingValues.parse(s, WidgetType.BUTTON, "go"));
    }
}
