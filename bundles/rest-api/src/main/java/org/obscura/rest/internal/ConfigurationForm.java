package org.obscura.rest.internal;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The form of one driver's camera configuration, as its metatype describes it: what the REST API shows
 * ({@link #describe()}) and how it turns a JSON object into ConfigAdmin properties ({@link #convert}).
 *
 * <p>Conversion is strict, so that nothing invalid is ever written: unknown property names are refused,
 * values are converted to the attribute's type (JSON strings are accepted for numbers and booleans, as HTML
 * forms send them), options are enforced, the attribute's own {@link AttributeDefinition#validate} is
 * consulted, and required attributes without a default must be present. Every refusal is a
 * {@link CameraException#invalid} naming the property.
 *
 * <p>The properties common to all cameras ({@link CameraConfig}: name, label, stereo, ...) are accepted even
 * when a driver's definition leaves them out; a definition that declares them wins. A driver without any
 * metatype gets only those.
 *
 * <p>Immutable and thread-safe.
 */
final class ConfigurationForm {

    /** What password attributes show instead of their value; sending it back keeps the stored value. */
    static final String MASK = "********";

    /** One attribute of the form and whether it is required. */
    record Field(AttributeDefinition definition, boolean required) {
        String id() {
            return definition.getID();
        }
    }

    private final String driverId;
    private final String factoryPid;
    private final ObjectClassDefinition definition;
    private final Map<String, Field> fields;

    /**
     * @param definition the driver's object class definition, or {@code null} when it publishes none
     */
    ConfigurationForm(String driverId, String factoryPid, ObjectClassDefinition definition) {
        this.driverId = driverId;
        this.factoryPid = factoryPid;
        this.definition = definition;
        this.fields = fields(definition);
    }

    private static Map<String, Field> fields(ObjectClassDefinition ocd) {
        Map<String, Field> declared = new LinkedHashMap<>();
        if (ocd != null) {
            Set<String> required = new TreeSet<>();
            for (AttributeDefinition ad : nonNull(ocd.getAttributeDefinitions(ObjectClassDefinition.REQUIRED))) {
                required.add(ad.getID());
            }
            for (AttributeDefinition ad : nonNull(ocd.getAttributeDefinitions(ObjectClassDefinition.ALL))) {
                if (ad.getID() != null) {
                    declared.put(ad.getID(), new Field(ad, required.contains(ad.getID())));
                }
            }
        }
        // Name and label first, the driver's own attributes next, the other common ones last.
        Map<String, Field> all = new LinkedHashMap<>();
        for (Field common : COMMON_FIRST) {
            all.put(common.id(), declared.getOrDefault(common.id(), common));
        }
        for (Field f : declared.values()) {
            all.putIfAbsent(f.id(), f);
        }
        for (Field common : COMMON_LAST) {
            all.putIfAbsent(common.id(), common);
        }
        return all;
    }

    private static AttributeDefinition[] nonNull(AttributeDefinition[] ads) {
        return ads == null ? new AttributeDefinition[0] : ads;
    }

    String driverId() {
        return driverId;
    }

    String factoryPid() {
        return factoryPid;
    }

    /** Whether the driver publishes a metatype definition for its factory PID. */
    boolean described() {
        return definition != null;
    }

    /** The attributes, in form order. */
    Collection<Field> fields() {
        return fields.values();
    }

    /**
     * The form as JSON data: the definition's name and description and every attribute with id, name,
     * description, type, cardinality, default (typed), options and whether it is required.
     */
    Map<String, Object> describe() {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("pid", factoryPid);
        form.put("name", definition == null ? null : definition.getName());
        form.put("description", definition == null ? null : definition.getDescription());
        form.put("described", definition != null);
        List<Map<String, Object>> attributes = new ArrayList<>();
        for (Field f : fields.values()) {
            AttributeDefinition ad = f.definition();
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", ad.getID());
            a.put("name", ad.getName() == null ? ad.getID() : ad.getName());
            a.put("description", ad.getDescription());
            a.put("type", typeName(ad.getType()));
            a.put("cardinality", ad.getCardinality());
            a.put("default", typedDefault(ad));
            List<Map<String, Object>> options = new ArrayList<>();
            String[] values = ad.getOptionValues();
            String[] labels = ad.getOptionLabels();
            if (values != null) {
                for (int i = 0; i < values.length; i++) {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("value", quietly(ad.getType(), values[i]));
                    o.put("label", labels != null && i < labels.length ? labels[i] : values[i]);
                    options.add(o);
                }
            }
            a.put("options", options);
            a.put("required", f.required());
            attributes.add(a);
        }
        form.put("attributes", attributes);
        return form;
    }

    /**
     * Converts and validates a camera configuration sent as JSON.
     *
     * @param input    property name to JSON value (String, Number, Boolean, List or null); {@code null} values
     *                 are treated as absent
     * @param existing the properties stored so far (for an update; empty for a new camera): password
     *                 attributes that are absent or sent back as {@link #MASK} keep their stored value
     * @return the properties to write, in form order
     * @throws CameraException INVALID_ARGUMENT naming the first property at fault
     */
    Map<String, Object> convert(Map<String, Object> input, Map<String, Object> existing) {
        for (String key : input.keySet()) {
            if (!fields.containsKey(key)) {
                if (CameraConfigurations.isInternal(key)) {
                    throw CameraException.invalid(key, "property '" + key + "' is managed by the server and cannot be set");
                }
                throw CameraException.invalid(key, "unknown property '" + Router.printable(key) + "' for driver '"
                        + driverId + "'; known properties: " + String.join(", ", fields.keySet()));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field f : fields.values()) {
            AttributeDefinition ad = f.definition();
            String id = ad.getID();
            Object value = input.get(id);
            if (ad.getType() == AttributeDefinition.PASSWORD && (value == null || MASK.equals(value))
                    && existing.get(id) != null) {
                out.put(id, existing.get(id));
                continue;
            }
            if (value == null) {
                if (f.required() && !hasDefault(ad)) {
                    throw CameraException.invalid(id, "property '" + id + "' is required");
                }
                continue;
            }
            Object converted = convertValue(ad, value);
            checkOptions(ad, converted);
            checkWithDefinition(ad, converted);
            out.put(id, converted);
        }
        return out;
    }

    /** The properties with password attributes masked, for answers. */
    Map<String, Object> mask(Map<String, Object> properties) {
        Map<String, Object> out = new LinkedHashMap<>(properties);
        for (Field f : fields.values()) {
            if (f.definition().getType() == AttributeDefinition.PASSWORD && out.get(f.id()) != null) {
                out.put(f.id(), MASK);
            }
        }
        return out;
    }

    private static boolean hasDefault(AttributeDefinition ad) {
        String[] d = ad.getDefaultValue();
        return d != null && d.length > 0;
    }

    /** A JSON value as the attribute's type: a scalar for cardinality 0, an array (> 0) or a list (< 0). */
    static Object convertValue(AttributeDefinition ad, Object value) {
        String id = ad.getID();
        int cardinality = ad.getCardinality();
        if (cardinality == 0) {
            if (value instanceof List || value instanceof Map) {
                throw CameraException.invalid(id, "property '" + id + "' takes one value, not " + JsonCodec.describe(value));
            }
            return scalar(id, ad.getType(), value);
        }
        List<?> values = value instanceof List<?> list ? list : List.of(value);
        int max = cardinality == Integer.MIN_VALUE ? Integer.MAX_VALUE : Math.abs(cardinality);
        if (values.size() > max) {
            throw CameraException.invalid(id, "property '" + id + "' takes at most " + max + " values, not " + values.size());
        }
        List<Object> converted = new ArrayList<>(values.size());
        for (Object v : values) {
            if (v == null || v instanceof List || v instanceof Map) {
                throw CameraException.invalid(id, "property '" + id + "' takes a list of plain values, not "
                        + JsonCodec.describe(v) + " inside the list");
            }
            converted.add(scalar(id, ad.getType(), v));
        }
        if (cardinality < 0) {
            return converted;
        }
        Object array = Array.newInstance(javaType(ad.getType()), converted.size());
        for (int i = 0; i < converted.size(); i++) {
            Array.set(array, i, converted.get(i));
        }
        return array;
    }

    /**
     * Converts one JSON scalar to an attribute type.
     *
     * @throws CameraException INVALID_ARGUMENT naming {@code id} and what was expected
     */
    @SuppressWarnings("deprecation")
    static Object scalar(String id, int type, Object v) {
        switch (type) {
            case AttributeDefinition.STRING, AttributeDefinition.PASSWORD -> {
                if (v instanceof String || v instanceof Number || v instanceof Boolean) {
                    return v.toString();
                }
                throw CameraException.invalid(id, "property '" + id + "' must be a string, not " + JsonCodec.describe(v));
            }
            case AttributeDefinition.CHARACTER -> {
                if (v instanceof String s && s.length() == 1) {
                    return s.charAt(0);
                }
                throw CameraException.invalid(id, "property '" + id + "' must be a single character");
            }
            case AttributeDefinition.BOOLEAN -> {
                if (v instanceof Boolean b) {
                    return b;
                }
                if (v instanceof String s) {
                    String t = s.trim().toLowerCase(Locale.ROOT);
                    if (t.equals("true") || t.equals("false")) {
                        return Boolean.valueOf(t);
                    }
                }
                throw CameraException.invalid(id, "property '" + id + "' must be true or false, not " + shown(v));
            }
            case AttributeDefinition.LONG -> {
                return whole(id, v, Long.MIN_VALUE, Long.MAX_VALUE).longValue();
            }
            case AttributeDefinition.INTEGER -> {
                return whole(id, v, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
            }
            case AttributeDefinition.SHORT -> {
                return whole(id, v, Short.MIN_VALUE, Short.MAX_VALUE).shortValue();
            }
            case AttributeDefinition.BYTE -> {
                return whole(id, v, Byte.MIN_VALUE, Byte.MAX_VALUE).byteValue();
            }
            case AttributeDefinition.DOUBLE -> {
                return decimal(id, v, Double.MAX_VALUE).doubleValue();
            }
            case AttributeDefinition.FLOAT -> {
                return decimal(id, v, Float.MAX_VALUE).floatValue();
            }
            case AttributeDefinition.BIGINTEGER -> {
                BigDecimal d = number(id, v, "a whole number");
                if (d.stripTrailingZeros().scale() > 0) {
                    throw CameraException.invalid(id, "property '" + id + "' must be a whole number, not " + shown(v));
                }
                return d.toBigInteger();
            }
            case AttributeDefinition.BIGDECIMAL -> {
                return number(id, v, "a number");
            }
            default -> {
                return v.toString();
            }
        }
    }

    private static BigDecimal whole(String id, Object v, long min, long max) {
        BigDecimal d = number(id, v, "a whole number");
        if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw CameraException.invalid(id, "property '" + id + "' must be from " + min + " to " + max + ", not " + shown(v));
        }
        if (d.stripTrailingZeros().scale() > 0) {
            throw CameraException.invalid(id, "property '" + id + "' must be a whole number, not " + shown(v));
        }
        return d;
    }

    private static BigDecimal decimal(String id, Object v, double max) {
        BigDecimal d = number(id, v, "a number");
        if (d.abs().compareTo(BigDecimal.valueOf(max)) > 0) {
            throw CameraException.invalid(id, "property '" + id + "' is out of range: " + shown(v));
        }
        return d;
    }

    private static BigDecimal number(String id, Object v, String expected) {
        String text;
        if (v instanceof Number n) {
            if (n instanceof Double dbl && (dbl.isNaN() || dbl.isInfinite())
                    || n instanceof Float f && (f.isNaN() || f.isInfinite())) {
                throw CameraException.invalid(id, "property '" + id + "' must be " + expected + ", not " + n);
            }
            text = n.toString();
        } else if (v instanceof String s) {
            text = s.trim();
        } else {
            throw CameraException.invalid(id, "property '" + id + "' must be " + expected + ", not " + JsonCodec.describe(v));
        }
        try {
            BigDecimal d = new BigDecimal(text);
            // An absurd exponent ("1e999999999") is a number, but not one any attribute can hold.
            if (d.precision() - d.scale() > 400) {
                throw CameraException.invalid(id, "property '" + id + "' is out of range: " + shown(v));
            }
            return d;
        } catch (NumberFormatException | ArithmeticException e) {
            throw CameraException.invalid(id, "property '" + id + "' must be " + expected + ", not " + shown(v));
        }
    }

    private static void checkOptions(AttributeDefinition ad, Object converted) {
        String[] options = ad.getOptionValues();
        if (options == null || options.length == 0) {
            return;
        }
        List<Object> allowed = new ArrayList<>();
        for (String o : options) {
            allowed.add(quietly(ad.getType(), o));
        }
        for (Object v : values(converted)) {
            if (!allowed.contains(v)) {
                throw CameraException.invalid(ad.getID(), "property '" + ad.getID() + "' must be one of "
                        + String.join(", ", options) + ", not " + shown(v));
            }
        }
    }

    /**
     * Asks the definition itself ({@link AttributeDefinition#validate}): {@code null} means it cannot tell,
     * an empty string that the value is fine, anything else is the reason it is not.
     */
    private static void checkWithDefinition(AttributeDefinition ad, Object converted) {
        String text;
        if (ad.getCardinality() == 0) {
            text = text(converted);
        } else {
            List<String> parts = new ArrayList<>();
            for (Object v : values(converted)) {
                parts.add(text(v).replace("\\", "\\\\").replace(",", "\\,"));
            }
            text = String.join(",", parts);
        }
        String verdict;
        try {
            verdict = ad.validate(text);
        } catch (RuntimeException e) {
            // A definition that cannot check its own values tells us nothing; the conversion above stands.
            return;
        }
        if (verdict != null && !verdict.isEmpty()) {
            throw new DefinitionVerdict(ad.getID(), "property '" + ad.getID() + "': " + verdict);
        }
    }

    /** The metatype definition refused a well-typed value (out of its bounds); its message is generic. */
    static final class DefinitionVerdict extends CameraException {
        private static final long serialVersionUID = 1L;

        DefinitionVerdict(String field, String message) {
            super(Kind.INVALID_ARGUMENT, message, field, null);
        }
    }

    private static List<Object> values(Object converted) {
        if (converted instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        if (converted != null && converted.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(converted); i++) {
                out.add(Array.get(converted, i));
            }
            return out;
        }
        return Arrays.asList(converted);
    }

    /** The metatype string form of a converted value (what a metatype default or option looks like). */
    private static String text(Object v) {
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return String.valueOf(v);
    }

    /** A metatype string as the attribute's type, or the string itself when it does not convert. */
    private static Object quietly(int type, String s) {
        try {
            return scalar("value", type, s);
        } catch (CameraException e) {
            return s;
        }
    }

    private static Object typedDefault(AttributeDefinition ad) {
        String[] d = ad.getDefaultValue();
        if (d == null) {
            return ad.getCardinality() == 0 ? null : List.of();
        }
        List<Object> typed = new ArrayList<>();
        for (String s : d) {
            typed.add(quietly(ad.getType(), s));
        }
        if (ad.getCardinality() == 0) {
            return typed.isEmpty() ? null : typed.get(0);
        }
        return typed;
    }

    @SuppressWarnings("deprecation")
    static String typeName(int type) {
        return switch (type) {
            case AttributeDefinition.STRING -> "string";
            case AttributeDefinition.LONG -> "long";
            case AttributeDefinition.INTEGER -> "integer";
            case AttributeDefinition.SHORT -> "short";
            case AttributeDefinition.CHARACTER -> "char";
            case AttributeDefinition.BYTE -> "byte";
            case AttributeDefinition.DOUBLE -> "double";
            case AttributeDefinition.FLOAT -> "float";
            case AttributeDefinition.BIGINTEGER -> "biginteger";
            case AttributeDefinition.BIGDECIMAL -> "bigdecimal";
            case AttributeDefinition.BOOLEAN -> "boolean";
            case AttributeDefinition.PASSWORD -> "password";
            default -> "string";
        };
    }

    @SuppressWarnings("deprecation")
    private static Class<?> javaType(int type) {
        return switch (type) {
            case AttributeDefinition.LONG -> Long.class;
            case AttributeDefinition.INTEGER -> Integer.class;
            case AttributeDefinition.SHORT -> Short.class;
            case AttributeDefinition.CHARACTER -> Character.class;
            case AttributeDefinition.BYTE -> Byte.class;
            case AttributeDefinition.DOUBLE -> Double.class;
            case AttributeDefinition.FLOAT -> Float.class;
            case AttributeDefinition.BIGINTEGER -> BigInteger.class;
            case AttributeDefinition.BIGDECIMAL -> BigDecimal.class;
            case AttributeDefinition.BOOLEAN -> Boolean.class;
            default -> String.class;
        };
    }

    private static String shown(Object v) {
        return v instanceof String s ? "'" + Router.printable(s) + "'" : String.valueOf(v);
    }

    // ---- the properties every camera has, for drivers whose definition leaves them out ----

    /** A plain attribute definition for the common camera properties; it has no opinion in validate(). */
    record CommonAttribute(String id, String name, String description, int type, String defaultValue)
            implements AttributeDefinition {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return description;
        }

        @Override
        public int getCardinality() {
            return 0;
        }

        @Override
        public int getType() {
            return type;
        }

        @Override
        public String[] getOptionValues() {
            return null;
        }

        @Override
        public String[] getOptionLabels() {
            return null;
        }

        @Override
        public String validate(String value) {
            return null;
        }

        @Override
        public String[] getDefaultValue() {
            return defaultValue == null ? null : new String[] {defaultValue};
        }
    }

    private static final List<Field> COMMON_FIRST = List.of(
            new Field(new CommonAttribute(CameraConfig.NAME, "Name",
                    "Unique camera name: lower case letters, digits, '_' and '-'", AttributeDefinition.STRING, null), true),
            new Field(new CommonAttribute(CameraConfig.LABEL, "Label", "Human label; defaults to the name",
                    AttributeDefinition.STRING, null), false));

    private static final List<Field> COMMON_LAST = List.of(
            new Field(new CommonAttribute(CameraConfig.STEREO, "Stereo", "Takes part in stereo captures",
                    AttributeDefinition.BOOLEAN, "false"), false),
            new Field(new CommonAttribute(CameraConfig.STEREO_ORDER, "Stereo order",
                    "Position among the stereo cameras, lower first", AttributeDefinition.INTEGER, "0"), false),
            new Field(new CommonAttribute(CameraConfig.INTERRUPT_SERVICE, "Interrupt service",
                    "A systemd service stopped before exclusive capture and restarted after", AttributeDefinition.STRING,
                    null), false),
            new Field(new CommonAttribute(CameraConfig.ENABLED, "Enabled",
                    "A disabled camera keeps its configuration but does not run", AttributeDefinition.BOOLEAN, "true"),
                    false));
}
