package org.obscura.camera.core.internal.store;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns metadata from providers and callers into plain JSON values (String, Number, Boolean, List, Map, null),
 * so that the sidecar writer never fails on an unexpected type and every consumer of capture metadata sees the
 * same shapes. Instants and other times become ISO-8601 strings, enums their names, records maps of their
 * components; anything else its {@code toString()}.
 */
public final class JsonValues {

    private static final int MAX_DEPTH = 16;

    private JsonValues() {
    }

    /** A plain copy of a map, keeping its order; top-level {@code null} values are left out. */
    public static Map<String, Object> plainMap(Map<?, ?> map) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (map != null) {
            map.forEach((key, value) -> {
                if (key != null && value != null) {
                    result.put(key.toString(), plain(value, 1));
                }
            });
        }
        return result;
    }

    /** A plain copy of any value. */
    public static Object plain(Object value) {
        return plain(value, 0);
    }

    private static Object plain(Object value, int depth) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number n) {
            return n instanceof Double || n instanceof Float || n instanceof Long || n instanceof Integer
                    || n instanceof Short || n instanceof Byte || n instanceof BigDecimal || n instanceof BigInteger
                    ? n : n.toString(); // counters and other mutable numbers as their current text
        }
        if (depth >= MAX_DEPTH) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> result = new LinkedHashMap<>();
            map.forEach((k, v) -> result.put(String.valueOf(k), plain(v, depth + 1)));
            return result;
        }
        if (value instanceof Collection<?> items) {
            List<Object> result = new ArrayList<>(items.size());
            for (Object item : items) {
                result.add(plain(item, depth + 1));
            }
            return result;
        }
        if (value.getClass().isArray()) {
            int n = Array.getLength(value);
            List<Object> result = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                result.add(plain(Array.get(value, i), depth + 1));
            }
            return result;
        }
        if (value instanceof Optional<?> o) {
            return plain(o.orElse(null), depth + 1);
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Character || value instanceof TemporalAccessor) {
            return value.toString();
        }
        if (value instanceof Record r) {
            Map<String, Object> result = new LinkedHashMap<>();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    result.put(c.getName(), plain(c.getAccessor().invoke(r), depth + 1));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return r.toString(); // a record of a class we may not read
                }
            }
            return result;
        }
        return value.toString();
    }
}
