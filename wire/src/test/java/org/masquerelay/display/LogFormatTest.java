package org.masquerelay.display;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogFormatTest {
    @Test
    void serverLineHasMillisecondsZoneLevelNameAndPlainAddresses() throws Exception {
        LogRecord r = new LogRecord(Level.FINE, "connection from {0} to {1}, stream {2}");
        r.setParameters(new Object[] {new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 42019),
                new InetSocketAddress(InetAddress.getByName("::1"), 4433), 12345L});
        String line = new LogFormat(true, "", false).format(r);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} [+-]\\d\\d:\\d\\d DEBUG connection from "
                + "127\\.0\\.0\\.1:42019 to \\[::1]:4433, stream 12345\\R"), line);
    }

    @Test
    void jdkAddressTextInsideMessagesIsTidied() {
        assertEquals("tcp tunnel 127.0.0.1:42019 closed; [::1]:4433 and [2001:db8::5]:80",
                LogFormat.tidy("tcp tunnel /127.0.0.1:42019 closed; /[0:0:0:0:0:0:0:1]:4433 and /[2001:db8:0:0:0:0:0:5]:80"));
        assertEquals("a/b 10.0.0.1/8 http://x/127.0.0.1:80", LogFormat.tidy("a/b 10.0.0.1/8 http://x/127.0.0.1:80"));
    }

    @Test
    void exceptionsAreOneLineUnlessTracesAreAskedFor() {
        LogRecord r = new LogRecord(Level.WARNING, "receive loop ended");
        r.setThrown(new RuntimeException("wrapped", new PortUnreachableException()));
        String quiet = new LogFormat(false, "relay-client: ", false).format(r);
        assertEquals("relay-client: WARN  receive loop ended (PortUnreachableException)" + System.lineSeparator(), quiet);
        String loud = new LogFormat(false, "", true).format(r);
        assertTrue(loud.contains("\tat "), loud);
        assertFalse(new LogFormat(false, "", false).format(new LogRecord(Level.SEVERE, "x")).contains("SEVERE"));
    }
}
