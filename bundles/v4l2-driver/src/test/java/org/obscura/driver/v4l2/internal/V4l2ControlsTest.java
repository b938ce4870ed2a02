package org.obscura.driver.v4l2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.Setting;
import org.obscura.camera.api.SettingType;

class V4l2ControlsTest {

    private static V4l2Controls.Control control(int type, long min, long max, long step, List<String> options,
            List<Integer> indices) {
        return new V4l2Controls.Control(0x00980900, type, "ctl", "Ctl", min, max, step, 0, 0, "user", options, indices);
    }

    @Test
    void keysFollowV4l2CtlNaming() {
        assertEquals("white_balance_temperature_auto", V4l2Controls.key("White Balance Temperature, Auto"));
        assertEquals("y_cbcr_encoding", V4l2Controls.key("Y'CbCr Encoding"));
        assertEquals("inject_req_validate_error", V4l2Controls.key("Inject req_validate() Error"));
    }

    @Test
    void integersAreCheckedAgainstRangeAndStep() {
        V4l2Controls.Control c = control(Videodev2.V4L2_CTRL_TYPE_INTEGER, -10, 90, 5, List.of(), List.of());
        assertEquals(15, V4l2Controls.toRaw(c, "15"));
        assertEquals(-10, V4l2Controls.toRaw(c, -10L));
        assertEquals(90, V4l2Controls.toRaw(c, 90.0));
        CameraException range = assertThrows(CameraException.class, () -> V4l2Controls.toRaw(c, 95));
        assertEquals("ctl", range.field());
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, range.kind());
        assertTrue(range.getMessage().contains("between -10 and 90"));
        assertTrue(assertThrows(CameraException.class, () -> V4l2Controls.toRaw(c, 12)).getMessage()
                .contains("steps of 5"));
        assertThrows(CameraException.class, () -> V4l2Controls.toRaw(c, 1.5));
        assertThrows(CameraException.class, () -> V4l2Controls.toRaw(c, "bright"));
        assertThrows(CameraException.class, () -> V4l2Controls.toRaw(c, null));
    }

    @Test
    void booleansAcceptTheUsualSpellings() {
        V4l2Controls.Control c = control(Videodev2.V4L2_CTRL_TYPE_BOOLEAN, 0, 1, 1, List.of(), List.of());
        assertEquals(1, V4l2Controls.toRaw(c, true));
        assertEquals(1, V4l2Controls.toRaw(c, "on"));
        assertEquals(0, V4l2Controls.toRaw(c, "false"));
        assertEquals(0, V4l2Controls.toRaw(c, 0));
        assertTrue(assertThrows(CameraException.class, () -> V4l2Controls.toRaw(c, "maybe")).getMessage()
                .contains("allowed: true, false"));
    }

    @Test
    void menusMapOptionNamesToTheDriversIndices() {
        // Drivers may skip indices: here index 1 does not exist.
        V4l2Controls.Control c = control(Videodev2.V4L2_CTRL_TYPE_MENU, 0, 3, 1,
                List.of("Manual Mode", "Aperture Priority Mode", "Shutter Priority Mode"), List.of(0, 2, 3));
        assertEquals(2, V4l2Controls.toRaw(c, "aperture priority mode"));
        assertEquals(3, V4l2Controls.toRaw(c, 3));
        CameraException bad = assertThrows(CameraException.class, () -> V4l2Controls.toRaw(c, "Auto Mode"));
        assertTrue(bad.getMessage().endsWith("allowed: Manual Mode, Aperture Priority Mode, Shutter Priority Mode"));
        assertThrows(CameraException.class, () -> V4l2Controls.toRaw(c, 1));
    }

    @Test
    void settingsCarryRangeOnlyForIntegers() {
        Setting integer = V4l2Controls.setting(control(Videodev2.V4L2_CTRL_TYPE_INTEGER, 0, 255, 1, List.of(), List.of()), 128L);
        assertEquals(SettingType.INTEGER, integer.type());
        assertEquals(255L, integer.max());
        Setting menu = V4l2Controls.setting(control(Videodev2.V4L2_CTRL_TYPE_INTEGER_MENU, 0, 1, 1, List.of("2", "3"),
                List.of(0, 1)), "3");
        assertEquals(SettingType.MENU, menu.type());
        assertEquals(null, menu.max());
        assertEquals(List.of("2", "3"), menu.options());
    }
}
