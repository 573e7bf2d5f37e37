package org.masquerelay.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An ordered HTTP field section (pseudo-header fields first, then header fields), as carried by one HEADERS frame.
 * Names are kept in lower case: HTTP/3 requires it on the wire (RFC 9114 §4.2), and it makes look-ups simple.
 * Immutable; build one with {@link #builder()}.
 */
public final class HttpFields implements Iterable<HttpFields.Field> {

    /** One field line. */
    public record Field(String name, String value) {
        public boolean isPseudo() {
            return name.startsWith(":");
        }
    }

    private final List<Field> fields;

    private HttpFields(List<Field> fields) {
        this.fields = Collections.unmodifiableList(fields);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first value of a field (pseudo or not), if present. */
    public Optional<String> get(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Field f : fields) {
            if (f.name.equals(lower)) {
                return Optional.of(f.value);
            }
        }
        return Optional.empty();
    }

    /** The first value of a field, or null. */
    public String getOrNull(String name) {
        return get(name).orElse(null);
    }

    /** Every value of a field, in order. */
    public List<String> getAll(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        List<String> values = new ArrayList<>();
        for (Field f : fields) {
            if (f.name.equals(lower)) {
                values.add(f.value);
            }
        }
        return values;
    }

    /** How many lines carry this name (to detect duplicated pseudo-header fields). */
    public int count(String name) {
        return getAll(name).size();
    }

    public boolean contains(String name) {
        return get(name).isPresent();
    }

    public List<Field> asList() {
        return fields;
    }

    public int size() {
        return fields.size();
    }

    /** Rough size as counted by SETTINGS_MAX_FIELD_SECTION_SIZE (RFC 9114 §4.2.2): name + value + 32 per line. */
    public long fieldSectionSize() {
        long size = 0;
        for (Field f : fields) {
            size += f.name.length() + f.value.length() + 32;
        }
        return size;
    }

    @Override
    public Iterator<Field> iterator() {
        return fields.iterator();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Field f : fields) {
            sb.append(f.name).append(": ").append(f.value).append('\n');
        }
        return sb.toString();
    }

    public static final class Builder {
        private final List<Field> fields = new ArrayList<>();

        /** Adds a line; the name is lower-cased. Pseudo-header fields should be added before header fields. */
        public Builder add(String name, String value) {
            fields.add(new Field(name.toLowerCase(Locale.ROOT), value));
            return this;
        }

        public Builder addAll(HttpFields other) {
            fields.addAll(other.fields);
            return this;
        }

        public HttpFields build() {
            return new HttpFields(new ArrayList<>(fields));
        }
    }
}
