package org.masquerelay.client.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.masquerelay.wire.Target;

/**
 * The SOCKS5 front end's parsers (RFC 1928) on what a local program sends: greeting and request on the TCP
 * connection, the UDP request header on the association's socket. Allowed: a request, a {@link Socks5Request.Refused}
 * with a reply code, an EOF, or a dropped datagram -- and an accepted target is a clean host and port 1-65535.
 */
class Socks5FuzzTest {

    @FuzzTest
    void tcpHandshake(byte[] bytes) {
        InputStream in = new ByteArrayInputStream(bytes);
        try {
            if (!Socks5Request.readGreeting(in)) {
                return;
            }
            Socks5Request request = Socks5Request.read(in);
            assertTrue(request.command() == Socks5Request.CONNECT || request.command() == Socks5Request.UDP_ASSOCIATE);
            if (request.command() == Socks5Request.CONNECT) {
                check(request.target());
            }
        } catch (Socks5Request.Refused e) {
            assertTrue(e.replyCode == -1 || (e.replyCode > 0 && e.replyCode <= 8), "reply code " + e.replyCode);
        } catch (EOFException e) {
            // the client went away mid-handshake
        } catch (IOException e) {
            throw new AssertionError("unexpected failure on an in-memory stream", e);
        }
    }

    @FuzzTest
    void udpHeader(FuzzedDataProvider data) {
        int slack = data.consumeInt(0, 300);
        byte[] datagram = data.consumeRemainingAsBytes();
        // As on the association's socket: the datagram at the start of a larger, reused buffer.
        byte[] buffer = new byte[datagram.length + slack];
        java.util.Arrays.fill(buffer, (byte) 0x7f);
        System.arraycopy(datagram, 0, buffer, 0, datagram.length);
        Socks5Request.Datagram d = Socks5Request.Datagram.parse(buffer, datagram.length);
        if (d == null) {
            return;
        }
        check(d.target());
        assertTrue(d.dataOffset() <= datagram.length, "payload starts beyond the datagram");
        assertEquals(d.dataOffset(), d.header().length);
        assertEquals(d, Socks5Request.Datagram.parse(datagram, datagram.length) == null ? null : d,
                "the parse depends on bytes beyond the datagram");
    }

    private static void check(Target target) {
        org.masquerelay.fuzz.Checks.cleanHost(target.host());
        assertTrue(target.port() >= 1 && target.port() <= 65535);
    }
}
