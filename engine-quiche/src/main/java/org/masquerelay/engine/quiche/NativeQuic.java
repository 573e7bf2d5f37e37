package org.masquerelay.engine.quiche;

import io.netty.handler.codec.quic.Quic;

import java.io.IOException;

/**
 * The quiche engine needs Netty's native QUIC library (quiche + BoringSSL, from the netty-codec-native-quic jar of this
 * platform). Checked before anything else, so a platform without it fails at start-up with one clear message instead
 * of an error deep inside a connection.
 */
public final class NativeQuic {
    private NativeQuic() {}

    /** Whether Netty's native QUIC library loads on this machine: what the {@code auto} engine choice asks. */
    public static boolean isAvailable() {
        try {
            return Quic.isAvailable();
        } catch (LinkageError e) {
            return false;
        }
    }

    /** Why it does not load, for the start-up log line; null when it does. */
    public static String unavailabilityReason() {
        try {
            return Quic.isAvailable() ? null : String.valueOf(Quic.unavailabilityCause());
        } catch (LinkageError e) {
            return e.toString();
        }
    }

    static void ensureAvailable(String what) throws IOException {
        Throwable cause;
        try {
            if (Quic.isAvailable()) {
                return;
            }
            cause = Quic.unavailabilityCause();
        } catch (LinkageError e) {
            cause = e;
        }
        String platform = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        throw new IOException("the quiche engine cannot start the " + what + ": Netty's native QUIC library "
                + "(io.netty:netty-codec-native-quic with the classifier for " + platform + ") did not load"
                + (cause == null ? "" : " (" + cause + ")")
                + ". This build ships it for linux-x86_64 only; use the kwik engine elsewhere.", cause);
    }
}
