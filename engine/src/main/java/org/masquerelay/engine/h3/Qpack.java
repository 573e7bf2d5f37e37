package org.masquerelay.engine.h3;

import org.masquerelay.wire.HttpFields;
import tech.kwik.qpack.Decoder;
import tech.kwik.qpack.Encoder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * QPACK field-section coding with Kwik's qpack library, keeping order and repeated names (Flupke's HeadersFrame
 * folds them into a map, which would hide a duplicated pseudo-header). We advertise a dynamic table capacity of 0,
 * so every section is self-contained and one coder per connection suffices.
 */
public final class Qpack {
    private final Encoder encoder = Encoder.newBuilder().build();
    private final Decoder decoder = Decoder.newBuilder().build();

    public synchronized byte[] encode(HttpFields fields) {
        List<Map.Entry<String, String>> lines = new ArrayList<>(fields.size());
        for (HttpFields.Field f : fields) {
            lines.add(new AbstractMap.SimpleImmutableEntry<>(f.name(), f.value()));
        }
        ByteBuffer buffer = encoder.compressHeaders(lines);
        buffer.flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    public synchronized HttpFields decode(byte[] fieldSection) throws IOException {
        QpackBounds.check(fieldSection);
        List<Map.Entry<String, String>> lines;
        try {
            lines = decoder.decodeStream(new ByteArrayInputStream(fieldSection));
        } catch (RuntimeException e) {
            // The qpack library signals some malformed input with unchecked exceptions.
            throw new IOException("malformed QPACK field section: " + e, e);
        }
        HttpFields.Builder builder = HttpFields.builder();
        for (Map.Entry<String, String> line : lines) {
            builder.add(line.getKey(), line.getValue());
        }
        return builder.build();
    }
}
