package org.masquerelay.client.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.masquerelay.client.internal.Http1;
import org.masquerelay.wire.Target;

/** The pure parsers of the SOCKS5 and HTTP front ends; each defect found by the fuzz module has its case here. */
class FrontEndParsersTest {

    private static InputStream bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return new ByteArrayInputStream(out);
    }

    @Test
    void socks5ConnectByName() throws IOException {
        InputStream in = bytes(5, 1, 0, 5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 1, 187);
        assertTrue(Socks5Request.readGreeting(in));
        Socks5Request r = Socks5Request.read(in);
        assertEquals(Socks5Request.CONNECT, r.command());
        assertEquals(new Target("example.com", 443), r.target());
    }

    @Test
    void socks5NamesThatCannotBeHostsAreRefusedWithHostUnreachable() {
        Socks5Request.Refused e = assertThrows(Socks5Request.Refused.class,
                () -> Socks5Request.read(bytes(5, 1, 0, 3, 3, 'a', ' ', 'b', 0, 80)));
        assertEquals(Socks5Session.HOST_UNREACHABLE, e.replyCode);
        e = assertThrows(Socks5Request.Refused.class, () -> Socks5Request.read(bytes(5, 1, 0, 1, 127, 0, 0, 1, 0, 0)));
        assertEquals(Socks5Session.HOST_UNREACHABLE, e.replyCode); // port 0
        e = assertThrows(Socks5Request.Refused.class, () -> Socks5Request.read(bytes(5, 2, 0, 1, 127, 0, 0, 1, 0, 80)));
        assertEquals(Socks5Session.COMMAND_NOT_SUPPORTED, e.replyCode); // BIND
    }

    /** The UDP header's name length byte lay outside the datagram: it was read from an earlier, longer datagram. */
    @Test
    void socks5UdpHeaderReadsNothingBeyondTheDatagram() {
        byte[] buffer = new byte[64];
        buffer[3] = 3;
        buffer[4] = 9; // stale: not part of the 4-byte datagram
        assertNull(Socks5Request.Datagram.parse(buffer, 4));
        assertNull(Socks5Request.Datagram.parse(new byte[] {0, 0, 0, 3}, 4));
        byte[] ok = {0, 0, 0, 1, 127, 0, 0, 1, 0, 53, 'x'};
        Socks5Request.Datagram d = Socks5Request.Datagram.parse(ok, ok.length);
        assertEquals(new Target("127.0.0.1", 53), d.target());
        assertEquals(10, d.dataOffset());
    }

    private static Http1.Head head(String text) throws IOException {
        return Http1.readHead(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void httpForwardRewritesTheRequestForTheTarget() throws Exception {
        HttpProxyRequest r = HttpProxyRequest.parse(head(
                "GET http://127.0.0.1:8000/a?b HTTP/1.1\r\nHost: 127.0.0.1\r\nProxy-Connection: keep-alive\r\n\r\n"));
        assertEquals(new Target("127.0.0.1", 8000), r.target());
        assertEquals("GET /a?b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                new String(r.forwardHead(), StandardCharsets.ISO_8859_1));
        assertTrue(HttpProxyRequest.parse(head("CONNECT example.com:443 HTTP/1.1\r\n\r\n")).isConnect());
    }

    /** A bare CR survives line splitting and was forwarded to the target inside a header value. */
    @Test
    void httpFieldsWithCrOrNulOrBadNamesAreRefused() {
        for (String bad : new String[] {"X: a\rb", "X: a\u0000b", "X Y: a", "(x): a"}) {
            assertThrows(HttpProxyRequest.Refused.class,
                    () -> HttpProxyRequest.parse(head("GET http://127.0.0.1/ HTTP/1.1\r\n" + bad + "\r\n\r\n")), bad);
        }
        assertThrows(HttpProxyRequest.Refused.class, () -> HttpProxyRequest.parse(head("GET http:/// HTTP/1.1\r\n\r\n")));
        assertThrows(HttpProxyRequest.Refused.class, () -> HttpProxyRequest.parse(head("G T / HTTP/1.1\r\n\r\n")));
    }

    /** A negative chunk size ("-ed5") made the body's read() throw IndexOutOfBoundsException. */
    @Test
    void chunkSizesAreHexDigitsOnly() throws IOException {
        assertEquals(0x1f, Http1.chunkSize("1F;ext=1"));
        for (String bad : new String[] {"-ed5", "+5", "", "1234567890abcdef0", "\uff11"}) {
            assertThrows(IOException.class, () -> Http1.chunkSize(bad), bad);
        }
        Http1.Head chunked = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        InputStream body = Http1.responseBody(new ByteArrayInputStream("-ed5\r\nxx".getBytes(StandardCharsets.ISO_8859_1)),
                "GET", 200, chunked);
        assertThrows(IOException.class, () -> body.read(new byte[97], 0, 97));
    }

    /** A negative content-length ("-2") made the body's read() throw IndexOutOfBoundsException. */
    @Test
    void contentLengthIsDigitsOnly() throws IOException {
        assertEquals(12, Http1.contentLength(" 12 "));
        for (String bad : new String[] {"-2", "+2", "", "1e3", "1234567890123456789"}) {
            assertThrows(IOException.class, () -> Http1.contentLength(bad), bad);
        }
        Http1.Head head = head("HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n");
        assertThrows(IOException.class, () -> Http1.responseBody(new ByteArrayInputStream(new byte[0]), "GET", 200, head));
    }
}
