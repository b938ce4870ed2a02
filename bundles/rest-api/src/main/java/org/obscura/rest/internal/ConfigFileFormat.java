package org.obscura.rest.internal;

import java.lang.reflect.Array;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.obscura.camera.api.CameraException;

/**
 * The typed configuration file format Felix FileInstall reads from {@code *.config} files, for the values a
 * camera configuration holds. One property per line, {@code key = value}, where a value is a type code and a
 * quoted text: {@code "text"} (string), {@code I"640"} (Integer), {@code L}, {@code S}, {@code X} (Byte),
 * {@code D}, {@code F}, {@code B} (Boolean), {@code C} (Character); an array is the type code and the quoted
 * elements in brackets, {@code I["640", "480"]}. Inside quotes {@code "} is written {@code \"} and control
 * characters as {@code \n}, {@code \t}, ... or a backslash, {@code u} and four hex digits. Lines starting with
 * {@code #} are comments. (FileInstall itself writes arrays back over several lines; both read the same.)
 *
 * <p>The text written is exactly what FileInstall's own writer produces for each scalar value, so that when
 * FileInstall writes a configuration back into its file (after every ConfigAdmin update) lines whose value
 * did not change keep their layout, and a file it reads back yields values equal, in value and type, to
 * those the API stored.
 *
 * <p>Some values cannot make that round trip and are refused ({@link #check}): FileInstall substitutes
 * {@code ${...}} in values as it reads a file, collapses backslash escapes before it parses quotes, so that a
 * backslash never survives its own write-back, and writes files in its configured encoding (ISO-8859-1
 * unless {@code felix.fileinstall.configEncoding} says otherwise). Its parser of the version in use does not
 * recognise the {@code (...)} collection syntax as typed, so collections are stored as arrays
 * ({@link #storable}). ConfigAdmin cannot hold other value types at all.
 *
 * <p>Stateless; thread-safe.
 */
final class ConfigFileFormat {

    /** Keys FileInstall itself never writes into a file: ConfigAdmin's identity and its own file link. */
    static final Set<String> NOT_IN_FILE = Set.of("service.pid", "service.factoryPid",
            CameraConfigurations.FILEINSTALL_FILENAME);

    /**
     * Keys the format can hold without escapes (the reader splits a line at the first {@code =}, {@code :} or
     * blank, and takes {@code #} and {@code !} at the start for a comment).
     */
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]*");

    private static final Map<Class<?>, Character> CODES = Map.ofEntries(
            Map.entry(String.class, '\0'), Map.entry(Integer.class, 'I'), Map.entry(Long.class, 'L'),
            Map.entry(Float.class, 'F'), Map.entry(Double.class, 'D'), Map.entry(Byte.class, 'X'),
            Map.entry(Short.class, 'S'), Map.entry(Character.class, 'C'), Map.entry(Boolean.class, 'B'),
            Map.entry(int.class, 'i'), Map.entry(long.class, 'l'), Map.entry(float.class, 'f'),
            Map.entry(double.class, 'd'), Map.entry(byte.class, 'x'), Map.entry(short.class, 's'),
            Map.entry(char.class, 'c'), Map.entry(boolean.class, 'b'));

    private ConfigFileFormat() {
    }

    /**
     * The properties as they are to be stored when a file backs them: collections become arrays of their
     * element type (an empty one a {@code String[]}), everything else is kept; every value is then
     * {@link #check checked}.
     *
     * @throws CameraException INVALID_ARGUMENT naming the first property a file cannot hold
     */
    static Map<String, Object> storable(Map<String, Object> properties, Charset charset) {
        Map<String, Object> out = new LinkedHashMap<>();
        properties.forEach((key, value) -> {
            if (value == null) {
                return;
            }
            Object stored = value instanceof Collection<?> c ? array(key, c) : value;
            if (!NOT_IN_FILE.contains(key)) {
                check(key, stored, charset);
            }
            out.put(key, stored);
        });
        return out;
    }

    private static Object array(String key, Collection<?> values) {
        if (values.isEmpty()) {
            return new String[0];
        }
        Class<?> type = null;
        for (Object v : values) {
            if (v == null || type != null && v.getClass() != type) {
                throw CameraException.invalid(key, "property '" + key + "' mixes value types or holds an empty value");
            }
            type = v.getClass();
        }
        Object array = Array.newInstance(type, values.size());
        int i = 0;
        for (Object v : values) {
            Array.set(array, i++, v);
        }
        return array;
    }

    /**
     * Checks that a value can be written and read back unchanged by FileInstall.
     *
     * @throws CameraException INVALID_ARGUMENT naming {@code key} and what is wrong
     */
    static void check(String key, Object value, Charset charset) {
        if (!KEY.matcher(key).matches()) {
            throw CameraException.invalid(key, "property name '" + Router.printable(key)
                    + "' cannot be stored in a configuration file: use letters, digits, '_', '.' and '-'");
        }
        if (value == null) {
            throw CameraException.invalid(key, "property '" + key + "' has no value");
        }
        if (value.getClass().isArray()) {
            if (!CODES.containsKey(value.getClass().getComponentType())) {
                throw unsupported(key, value.getClass().getComponentType());
            }
            for (int i = 0; i < Array.getLength(value); i++) {
                Object element = Array.get(value, i);
                if (element == null) {
                    throw CameraException.invalid(key, "property '" + key + "' holds an empty value");
                }
                checkScalar(key, element, charset);
            }
            return;
        }
        checkScalar(key, value, charset);
    }

    private static void checkScalar(String key, Object value, Charset charset) {
        if (!CODES.containsKey(value.getClass())) {
            throw unsupported(key, value.getClass());
        }
        if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
            throw CameraException.invalid(key, "property '" + key + "' must be a finite number, not " + value);
        }
        if (value instanceof String || value instanceof Character) {
            String text = value.toString();
            if (text.indexOf('\\') >= 0) {
                throw CameraException.invalid(key, "property '" + key + "' cannot contain a backslash ('\\'): "
                        + "the configuration file in conf/ would not keep it");
            }
            if (text.contains("${")) {
                throw CameraException.invalid(key, "property '" + key + "' cannot contain '${': "
                        + "configuration files in conf/ read it as a variable");
            }
            CharsetEncoder encoder = charset.newEncoder();
            if (!encoder.canEncode(text)) {
                throw CameraException.invalid(key, "property '" + key + "' has characters that configuration files "
                        + "in " + charset.name() + " cannot hold" + (charset.name().equals("UTF-8") ? ""
                        : " (set felix.fileinstall.configEncoding=UTF-8 to store any text)"));
            }
        }
    }

    private static CameraException unsupported(String key, Class<?> type) {
        return CameraException.invalid(key, "property '" + key + "' is a " + type.getSimpleName()
                + ", which a configuration cannot hold; use a string or a number type");
    }

    /**
     * The file's text: the comment lines, a blank line, then one line per property in the map's order,
     * leaving out {@link #NOT_IN_FILE} keys. Line ends are {@code \n}.
     *
     * @param properties values already {@link #storable made storable}
     */
    static String format(List<String> comments, Map<String, Object> properties) {
        StringBuilder b = new StringBuilder(256);
        for (String comment : comments) {
            b.append("# ").append(comment.replace('\n', ' ').replace('\r', ' ')).append('\n');
        }
        if (!comments.isEmpty()) {
            b.append('\n');
        }
        properties.forEach((key, value) -> {
            if (value != null && !NOT_IN_FILE.contains(key)) {
                b.append(key).append(" = ").append(value(value)).append('\n');
            }
        });
        return b.toString();
    }

    /** One value as the format writes it: {@code "text"}, {@code I"640"}, {@code I["640", "480"]}. */
    static String value(Object value) {
        StringBuilder b = new StringBuilder();
        if (value.getClass().isArray()) {
            code(b, value.getClass().getComponentType());
            b.append('[');
            for (int i = 0; i < Array.getLength(value); i++) {
                if (i > 0) {
                    b.append(", ");
                }
                quoted(b, Array.get(value, i));
            }
            return b.append(']').toString();
        }
        code(b, value.getClass());
        quoted(b, value);
        return b.toString();
    }

    private static void code(StringBuilder b, Class<?> type) {
        Character code = CODES.get(type);
        if (code == null) {
            throw new IllegalArgumentException("no file type for " + type.getName());
        }
        if (code != '\0') {
            b.append(code.charValue());
        }
    }

    /** A scalar in quotes, escaped the way FileInstall's own writer escapes it. */
    private static void quoted(StringBuilder b, Object value) {
        String text = String.valueOf(value);
        b.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"', '\\' -> b.append('\\').append(c);
                case '\b' -> b.append("\\b");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\f' -> b.append("\\f");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < ' ') {
                        String hex = "000" + Integer.toHexString(c);
                        b.append("\\u").append(hex, hex.length() - 4, hex.length());
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
