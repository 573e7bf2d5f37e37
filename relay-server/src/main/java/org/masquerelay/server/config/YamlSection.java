package org.masquerelay.server.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One YAML mapping of the configuration file with typed, path-aware access: every wrong type becomes a
 * {@link ConfigException} naming the key, and unknown keys are refused with a suggestion.
 *
 * <p>A key present with an empty value ({@code auth:}) is treated as absent.
 */
final class YamlSection {

    private final String path;
    private final Map<String, Object> values;

    private YamlSection(String path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    /** The whole document; an empty file is an empty mapping. */
    static YamlSection root(Object document) {
        if (document == null) {
            return new YamlSection("", Map.of());
        }
        return of("", document, "the configuration file must be a YAML mapping of keys (such as 'listen:'), got "
                + describe(document));
    }

    private static YamlSection of(String path, Object value, String problem) {
        if (!(value instanceof Map<?, ?> raw)) {
            throw new ConfigException(path, problem);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new ConfigException(path, "key " + e.getKey() + " is not a string; keys are names like"
                        + " 'listen'");
            }
            out.put(key, e.getValue());
        }
        return new YamlSection(path, out);
    }

    String path() {
        return path;
    }

    /** The full path of a key in this section, e.g. {@code limits.max-connections}. */
    String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Refuses keys outside {@code known}, suggesting the nearest known key. */
    void allowOnly(Set<String> known) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                String suggestion = Suggestions.closest(key, known);
                throw new ConfigException(keyPath(key), suggestion != null
                        ? "unknown key; did you mean '" + suggestion + "'?"
                        : "unknown key (known keys here: " + String.join(", ", known.stream().sorted().toList())
                        + ")");
            }
        }
    }

    boolean has(String key) {
        return values.get(key) != null;
    }

    Object raw(String key) {
        return values.get(key);
    }

    Optional<YamlSection> section(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        return Optional.of(of(keyPath(key), v, "must be a mapping of keys, got " + describe(v)));
    }

    /** A scalar as text; integers are accepted too, since YAML reads {@code 443} and {@code 123456} as numbers. */
    Optional<String> string(String key) {
        Object v = values.get(key);
        return v == null ? Optional.empty() : Optional.of(scalar(keyPath(key), v));
    }

    /** A list of scalars; an absent key is an empty list. */
    List<String> stringList(String key) {
        List<Object> items = list(key);
        List<String> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (item == null) {
                throw new ConfigException(keyPath(key) + "[" + i + "]", "is empty");
            }
            out.add(scalar(keyPath(key) + "[" + i + "]", item));
        }
        return out;
    }

    /** A list of anything; an absent key is an empty list. */
    List<Object> list(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new ConfigException(keyPath(key), "must be a list (e.g. [\"a\", \"b\"] or one '- item' per line),"
                    + " got " + describe(v));
        }
        return new ArrayList<>(l);
    }

    /** The mapping at a list position, e.g. {@code policy.addresses[1]}. */
    static YamlSection listItem(String itemPath, Object item) {
        return of(itemPath, item, "must be a mapping of keys, got " + describe(item));
    }

    /** An integer in 1..Integer.MAX_VALUE. */
    Optional<Integer> positiveInt(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        BigInteger n = null;
        if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
            n = new BigInteger(v.toString());
        } else if (v instanceof String s && s.trim().matches("\\d+")) {
            n = new BigInteger(s.trim());
        }
        if (n == null || n.signum() <= 0 || n.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new ConfigException(keyPath(key), "must be a positive integer"
                    + (n != null && n.signum() > 0 ? " no larger than " + Integer.MAX_VALUE : "") + ", got '" + v + "'");
        }
        return Optional.of(n.intValue());
    }

    private static String scalar(String keyPath, Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
            return v.toString();
        }
        throw new ConfigException(keyPath, "must be a string, got " + describe(v));
    }

    /** How a YAML value reads in an error message. */
    static String describe(Object v) {
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof String s) {
            return "the string '" + s + "'";
        }
        if (v instanceof Boolean b) {
            return "the boolean " + b;
        }
        if (v instanceof Number n) {
            return "the number " + n;
        }
        return v == null ? "nothing" : v.getClass().getSimpleName() + " '" + v + "'";
    }
}
