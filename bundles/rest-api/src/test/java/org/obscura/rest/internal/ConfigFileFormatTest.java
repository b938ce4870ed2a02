package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.felix.fileinstall.shaded.util.properties.TypedProperties;
import org.junit.jupiter.api.Test;
import org.obscura.camera.api.CameraException;

/**
 * The file format, read back with FileInstall's own parser (the classes its bundle embeds), the way
 * FileInstall reads a {@code .config} file: typed properties, with {@code ${...}} substitution.
 */
class ConfigFileFormatTest {

    private static final Charset LATIN_1 = StandardCharsets.ISO_8859_1;

    /** A typical camera configuration, as ConfigurationForm converts it. */
    private static Map<String, Object> camera() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", "cam-1");
        p.put("label", "Front door \"north\" = #1");
        p.put("device", "pattern");
        p.put("width", 640);
        p.put("height", 480);
        p.put("fps", 12.5);
        p.put("stereo", false);
        p.put("stereo.order", 0);
        return p;
    }

    @Test
    void writesTheTypedFormatLineByLine() {
        String text = ConfigFileFormat.format(List.of("Camera 'cam-1'"), ConfigFileFormat.storable(camera(), LATIN_1));
        assertEquals("""
                # Camera 'cam-1'

                name = "cam-1"
                label = "Front door \\"north\\" = #1"
                device = "pattern"
                width = I"640"
                height = I"480"
                fps = D"12.5"
                stereo = B"false"
                stereo.order = I"0"
                """, text);
    }

    @Test
    void fileInstallReadsBackEveryValueWithItsType() throws Exception {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("text", "plain text");
        p.put("empty", "");
        p.put("quotes", "say \"hi\", then = : # ! { } [ ] ( ) $HOME $ {x}");
        p.put("controls", "line one\nline two\ttab\rcr\u0001\u001f\b\f");
        p.put("latin", "Küche, café");
        p.put("int", 640);
        p.put("negative", -3);
        p.put("long", 1L << 40);
        p.put("short", (short) 7);
        p.put("byte", (byte) -8);
        p.put("double", 29.97);
        p.put("whole.double", 30.0);
        p.put("big.double", 1.0e21);
        p.put("tiny.double", 1.5e-7);
        p.put("float", 2.5f);
        p.put("whole.float", 3f);
        p.put("bool", true);
        p.put("char", 'x');
        p.put("ints", new Integer[] {640, 480});
        p.put("primitive.ints", new int[] {1, 2, 3});
        p.put("strings", new String[] {"a", "b, \"c\"", ""});
        p.put("no.strings", new String[0]);
        p.put("doubles", new Double[] {0.5, 1e10});
        p.put("list", List.of(5L, 6L));
        Map<String, Object> stored = ConfigFileFormat.storable(p, LATIN_1);

        TypedProperties read = fileInstallReads(ConfigFileFormat.format(List.of("all types"), stored), Map.of());

        assertEquals(stored.keySet(), read.keySet());
        for (Map.Entry<String, Object> e : stored.entrySet()) {
            Object back = read.get(e.getKey());
            assertEquals(e.getValue().getClass(), back.getClass(), e.getKey());
            assertTrue(Objects.deepEquals(e.getValue(), back), e.getKey() + ": " + back);
        }
        assertArrayEquals(new Long[] {5L, 6L}, (Long[]) read.get("list"), "collections are stored as arrays");
        assertEquals("Küche, café", read.get("latin"));
    }

    @Test
    void fileInstallFindsItEqualToTheConfiguration() throws Exception {
        // FileInstall compares a file's values with the configuration's through Hashtable.equals before it
        // updates anything: scalars must come back equal, so that its scan of a new file changes nothing.
        Map<String, Object> stored = ConfigFileFormat.storable(camera(), LATIN_1);
        TypedProperties read = fileInstallReads(ConfigFileFormat.format(List.of(), stored), Map.of());
        assertEquals(new Hashtable<>(stored), new Hashtable<>(read));
    }

    @Test
    void fileInstallWritingBackKeepsTheFileAsItIs() throws Exception {
        // After a ConfigAdmin update FileInstall loads the file, puts every configuration value into it and
        // saves it: lines whose value is unchanged keep their text, comments stay.
        Map<String, Object> stored = ConfigFileFormat.storable(camera(), LATIN_1);
        String text = ConfigFileFormat.format(List.of("Camera 'cam-1'", "second line"), stored);
        TypedProperties p = fileInstallReads(text, Map.of());
        stored.forEach(p::put);
        assertEquals(text, saved(p));

        p.put("width", 1280);
        assertEquals(text.replace("width = I\"640\"", "width = I\"1280\""), saved(p));
    }

    @Test
    void refusesWhatAFileCannotKeep() {
        assertRefused("label", "C:\\cams", "backslash");
        assertRefused("password", "a${user.home}b", "'${'");
        assertRefused("label", "5 €", "ISO-8859-1");
        assertRefused("label", "\ud800", "ISO-8859-1");
        assertRefused("width", new BigDecimal("1.5"), "BigDecimal");
        assertRefused("fps", Double.NaN, "finite");
        assertRefused("fps", Float.POSITIVE_INFINITY, "finite");
        assertRefused("bad key", "x", "property name");
        assertRefused("#comment", "x", "property name");
        assertRefused("tags", new String[] {"ok", "back\\slash"}, "backslash");
        assertRefused("tags", new Object[] {"a"}, "Object");
        List<Object> mixed = new ArrayList<>(List.of(1, "two"));
        assertRefused("tags", mixed, "mixes");
        // Under UTF-8 any text is fine.
        assertEquals("5 €", ConfigFileFormat.storable(Map.of("label", "5 €"), StandardCharsets.UTF_8).get("label"));
    }

    @Test
    void unicodeRoundTripsInUtf8() throws Exception {
        Map<String, Object> stored = ConfigFileFormat.storable(Map.of("label", "Камера 5 € 📷"), StandardCharsets.UTF_8);
        assertEquals("Камера 5 € 📷", fileInstallReads(ConfigFileFormat.format(List.of(), stored), Map.of()).get("label"));
    }

    @Test
    void collectionsBecomeArraysAndInternalKeysStayOutOfTheFile() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", "left");
        p.put("tags", List.of("a", "b"));
        p.put("none", List.of());
        p.put(CameraConfigurations.FILEINSTALL_FILENAME, "file:/x/conf/a.config");
        p.put("service.pid", "x~left");
        Map<String, Object> stored = ConfigFileFormat.storable(p, LATIN_1);
        assertArrayEquals(new String[] {"a", "b"}, (String[]) stored.get("tags"));
        assertArrayEquals(new String[0], (String[]) stored.get("none"));
        assertEquals("file:/x/conf/a.config", stored.get(CameraConfigurations.FILEINSTALL_FILENAME),
                "kept for the configuration");
        assertEquals("name = \"left\"\ntags = [\"a\", \"b\"]\nnone = []\n", ConfigFileFormat.format(List.of(), stored));
    }

    @Test
    void variablesInHandWrittenFilesAreFileInstallsBusiness() throws Exception {
        // What the API refuses to write ('${') is what FileInstall would substitute when reading.
        TypedProperties read = fileInstallReads("label = \"${camera.site} door\"\n", Map.of("camera.site", "north"));
        assertEquals("north door", read.get("label"));
    }

    private static void assertRefused(String key, Object value, String why) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(key, value);
        CameraException e = assertThrows(CameraException.class, () -> ConfigFileFormat.storable(p, LATIN_1));
        assertEquals(CameraException.Kind.INVALID_ARGUMENT, e.kind());
        assertEquals(key, e.field());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    /** Reads a file's text as FileInstall does, framework properties standing in for its bundle context. */
    static TypedProperties fileInstallReads(String text, Map<String, String> frameworkProperties) throws Exception {
        TypedProperties p = new TypedProperties((name, key, value) -> frameworkProperties.get(value));
        p.load(new StringReader(text));
        return p;
    }

    private static String saved(TypedProperties p) throws Exception {
        StringWriter w = new StringWriter();
        p.save(w);
        return w.toString().replace(System.lineSeparator(), "\n");
    }
}
