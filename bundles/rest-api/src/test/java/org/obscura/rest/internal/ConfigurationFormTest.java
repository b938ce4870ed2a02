package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;
import org.osgi.service.metatype.AttributeDefinition;

class ConfigurationFormTest {

    private final ConfigurationForm form = new ConfigurationForm("testpattern", Fakes.PID, Fakes.testpatternForm());

    private static Map<String, Object> input(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private CameraException refused(Map<String, Object> in) {
        CameraException e = assertThrows(CameraException.class, () -> form.convert(in, Map.of()));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        return e;
    }

    @Test
    void convertsJsonValuesToAttributeTypes() {
        Map<String, Object> out = form.convert(input("name", "left", "width", 1280, "height", "720", "fps", "12.5",
                "enabled", "false", "stereo", true, "stereo.order", "2", "tags", List.of("a", "b")), Map.of());
        assertEquals("left", out.get("name"));
        assertEquals(1280, out.get("width"));
        assertEquals(720, out.get("height"));
        assertEquals(12.5, out.get("fps"));
        assertEquals(false, out.get("enabled"));
        assertEquals(true, out.get("stereo"));
        assertEquals(2, out.get("stereo.order"));
        assertArrayEquals(new String[] {"a", "b"}, (String[]) out.get("tags"));
        // Absent attributes with defaults are left to their defaults, not written.
        assertFalse(out.containsKey("pattern"));
    }

    @Test
    void integralDecimalsAreWholeNumbers() {
        assertEquals(30, form.convert(input("name", "a", "width", 30.0), Map.of()).get("width"));
        CameraException e = refused(input("name", "a", "width", 30.5));
        assertEquals("width", e.field());
        assertTrue(e.getMessage().contains("whole number"), e.getMessage());
    }

    @Test
    void wrongTypesAreRefusedNamingTheField() {
        assertEquals("width", refused(input("name", "a", "width", "wide")).field());
        assertEquals("width", refused(input("name", "a", "width", true)).field());
        assertEquals("width", refused(input("name", "a", "width", List.of(1))).field());
        assertEquals("width", refused(input("name", "a", "width", 1e10)).field());
        assertEquals("width", refused(input("name", "a", "width", "1e999999999")).field());
        assertEquals("fps", refused(input("name", "a", "fps", "NaN")).field());
        assertEquals("enabled", refused(input("name", "a", "enabled", "yes")).field());
        assertEquals("enabled", refused(input("name", "a", "enabled", 1)).field());
        assertEquals("label", refused(input("name", "a", "label", Map.of("x", 1))).field());
        assertEquals("tags", refused(input("name", "a", "tags", List.of("1", "2", "3", "4", "5", "6"))).field());
        assertEquals("tags", refused(input("name", "a", "tags", List.of(List.of("nested")))).field());
    }

    @Test
    void unknownAndInternalPropertiesAreRefused() {
        CameraException unknown = refused(input("name", "a", "colour", "red"));
        assertEquals("colour", unknown.field());
        assertTrue(unknown.getMessage().contains("unknown property 'colour'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("width"), "lists the known properties: " + unknown.getMessage());
        CameraException internal = refused(input("name", "a", "service.pid", "x"));
        assertTrue(internal.getMessage().contains("managed by the server"), internal.getMessage());
        assertEquals("felix.fileinstall.filename", refused(input("name", "a", "felix.fileinstall.filename", "x")).field());
    }

    @Test
    void requiredAttributesWithoutDefaultMustBePresent() {
        CameraException e = refused(input("width", 10));
        assertEquals("name", e.field());
        assertTrue(e.getMessage().contains("required"));
        // null counts as absent
        assertEquals("name", refused(input("name", null)).field());
    }

    @Test
    void optionsAreEnforced() {
        assertEquals("noise", form.convert(input("name", "a", "pattern", "noise"), Map.of()).get("pattern"));
        CameraException e = refused(input("name", "a", "pattern", "plaid"));
        assertEquals("pattern", e.field());
        assertTrue(e.getMessage().contains("bars, gradient, noise"), e.getMessage());
    }

    @Test
    void theDefinitionsOwnValidationIsConsulted() {
        CameraException e = refused(input("name", "a", "width", 5000));
        assertEquals("width", e.field());
        assertTrue(e.getMessage().contains("width 5000 exceeds 3840"), e.getMessage());
    }

    @Test
    void multiValuedAttributesAreValidatedAsAnEscapedList() {
        Fakes.Definition d = new Fakes.Definition("x").optional(new Fakes.Attribute("hosts", AttributeDefinition.STRING)
                .cardinality(-10).validator(v -> v.equals("a\\,b,c") ? "" : "got " + v));
        ConfigurationForm f = new ConfigurationForm("d", "x", d);
        Object out = f.convert(input("name", "n", "hosts", List.of("a,b", "c")), Map.of()).get("hosts");
        assertEquals(List.of("a,b", "c"), out);
        // A single value for a multi-valued attribute is a list of one.
        CameraException e = assertThrows(CameraException.class,
                () -> f.convert(input("name", "n", "hosts", "z"), Map.of()));
        assertEquals("property 'hosts': got z", e.getMessage());
    }

    @Test
    void everyNumericTypeConverts() {
        Fakes.Definition d = new Fakes.Definition("x")
                .optional(new Fakes.Attribute("l", AttributeDefinition.LONG))
                .optional(new Fakes.Attribute("s", AttributeDefinition.SHORT))
                .optional(new Fakes.Attribute("b", AttributeDefinition.BYTE))
                .optional(new Fakes.Attribute("f", AttributeDefinition.FLOAT))
                .optional(new Fakes.Attribute("c", AttributeDefinition.CHARACTER))
                .optional(new Fakes.Attribute("ints", AttributeDefinition.INTEGER).cardinality(3));
        ConfigurationForm f = new ConfigurationForm("d", "x", d);
        Map<String, Object> out = f.convert(input("name", "n", "l", new BigInteger("9000000000"), "s", "-5", "b", 7,
                "f", 1.25, "c", "q", "ints", List.of(1, "2")), Map.of());
        assertEquals(9_000_000_000L, out.get("l"));
        assertEquals((short) -5, out.get("s"));
        assertEquals((byte) 7, out.get("b"));
        assertEquals(1.25f, out.get("f"));
        assertEquals('q', out.get("c"));
        assertArrayEquals(new Integer[] {1, 2}, (Integer[]) out.get("ints"));
        assertThrows(CameraException.class, () -> f.convert(input("name", "n", "b", 300), Map.of()));
        assertThrows(CameraException.class, () -> f.convert(input("name", "n", "c", "qq"), Map.of()));
    }

    @Test
    void passwordsAreMaskedAndKeptWhenNotResent() {
        Map<String, Object> stored = Map.of("name", "a", "secret", "hunter2");
        assertEquals(ConfigurationForm.MASK, form.mask(stored).get("secret"));
        assertEquals("hunter2", form.convert(input("name", "a"), stored).get("secret"));
        assertEquals("hunter2", form.convert(input("name", "a", "secret", ConfigurationForm.MASK), stored).get("secret"));
        assertEquals("new", form.convert(input("name", "a", "secret", "new"), stored).get("secret"));
    }

    @Test
    void commonPropertiesAreAcceptedWithoutAnyMetatype() {
        ConfigurationForm bare = new ConfigurationForm("x", "x.pid", null);
        assertFalse(bare.described());
        Map<String, Object> out = bare.convert(input("name", "n", "label", "Left", "stereo", "true",
                "stereo.order", 1, "interrupt.service", "mjpg.service", "enabled", true), Map.of());
        assertEquals(true, out.get("stereo"));
        CameraException e = assertThrows(CameraException.class,
                () -> bare.convert(input("name", "n", "device", "/dev/video0"), Map.of()));
        assertEquals("device", e.field());
    }

    @Test
    @SuppressWarnings("unchecked")
    void describesTheFormWithTypedDefaultsAndOptions() {
        Map<String, Object> d = form.describe();
        assertEquals(Fakes.PID, d.get("pid"));
        assertEquals(true, d.get("described"));
        List<Map<String, Object>> attributes = (List<Map<String, Object>>) d.get("attributes");
        List<Object> ids = attributes.stream().map(a -> a.get("id")).toList();
        assertEquals(List.of("name", "label", "pattern", "width", "height", "fps", "enabled", "secret", "tags",
                "stereo", "stereo.order", "interrupt.service"), ids);
        Map<String, Object> width = attributes.get(3);
        assertEquals("integer", width.get("type"));
        assertEquals(640, width.get("default"));
        assertEquals(true, width.get("required"));
        assertEquals(0, width.get("cardinality"));
        Map<String, Object> pattern = attributes.get(2);
        assertEquals(List.of(Map.of("value", "bars", "label", "Bars"), Map.of("value", "gradient", "label", "Gradient"),
                Map.of("value", "noise", "label", "Noise")), pattern.get("options"));
        assertEquals(false, attributes.get(1).get("required"));
        assertEquals("password", attributes.get(7).get("type"));
        assertEquals(List.of(), attributes.get(8).get("default"));
        assertEquals(5, attributes.get(8).get("cardinality"));
    }
}
