package org.masquerelay.interop.apple;

import org.masquerelay.engine.H3Connection;
import org.masquerelay.wire.FrameWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;

/**
 * Sends a frame of a reserved (GREASE) type on our engine's control stream, as Apple's client may (RFC 9114 §7.2.8).
 * The engine's public API has no hook for that, so this reaches its private control-stream field (the one its own
 * send-kicker writes reserved frames to, under the same lock). Needed change, reported: an
 * {@code H3Connection.sendControlFrame(type, payload)} method in core. Until then a failure here just means "no
 * GREASE sent".
 */
final class EngineGrease {
    private EngineGrease() {
    }

    /** @return false when the engine's internals are not as expected (nothing was sent) */
    static boolean sendControlFrame(H3Connection connection, long type, byte[] payload) {
        OutputStream out = controlStream(connection);
        if (out == null) {
            return false;
        }
        try {
            synchronized (out) {
                out.write(FrameWriter.encodeFrame(type, payload, 0, payload.length));
                out.flush();
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static OutputStream controlStream(H3Connection connection) {
        for (Class<?> c = connection.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField("controlStream");
                field.setAccessible(true);
                return field.get(connection) instanceof OutputStream out ? out : null;
            } catch (NoSuchFieldException e) {
                // Try the superclass.
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }
}
