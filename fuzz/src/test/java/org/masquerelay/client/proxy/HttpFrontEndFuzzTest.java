package org.masquerelay.client.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.masquerelay.client.internal.Http1;
import org.masquerelay.fuzz.Checks;

/**
 * HTTP/1.1 as the local HTTP front end and {@code fetch} read it (RFC 9112): a proxy request head from a local
 * program, and a response (head and body: content-length, chunked, until close) from a target. Allowed: a request or
 * response, an {@link IOException} / {@link HttpProxyRequest.Refused} with a message. A request forwarded to a target
 * has exactly one CRLF per line, no bare CR, LF or NUL, and ends with the blank line.
 */
class HttpFrontEndFuzzTest {

    @FuzzTest
    void proxyRequest(byte[] bytes) {
        Http1.Head head;
        try {
            head = Http1.readHead(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            assertTrue(e.getMessage() != null);
            return;
        }
        if (head == null) {
            return;
        }
        HttpProxyRequest request;
        try {
            request = HttpProxyRequest.parse(head);
        } catch (HttpProxyRequest.Refused e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            return;
        }
        Checks.cleanHost(request.target().host());
        if (request.isConnect()) {
            return;
        }
        String forwarded = new String(request.forwardHead(), StandardCharsets.ISO_8859_1);
        assertTrue(forwarded.endsWith("\r\n\r\n"), "forwarded head does not end with a blank line");
        String[] lines = forwarded.substring(0, forwarded.length() - 4).split("\r\n", -1);
        for (String line : lines) {
            assertTrue(line.indexOf('\r') < 0 && line.indexOf('\n') < 0 && line.indexOf(0) < 0,
                    "forwarded line with CR, LF or NUL: " + line.replaceAll("[^\\x20-\\x7e]", "?"));
            assertTrue(!line.isEmpty(), "empty line inside the forwarded head");
        }
    }

    @FuzzTest
    void response(FuzzedDataProvider data) {
        String method = data.pickValue(new String[] {"GET", "HEAD", "POST"});
        int status = data.pickValue(new int[] {100, 200, 204, 304, 404});
        byte[] bytes = data.consumeRemainingAsBytes();
        InputStream in = new ByteArrayInputStream(bytes);
        try {
            Http1.Head head = Http1.readHead(in);
            if (head == null) {
                return;
            }
            InputStream body = Http1.responseBody(in, method, status, head);
            byte[] buffer = new byte[97];
            long total = 0;
            int n;
            while ((n = body.read(buffer, 0, buffer.length)) >= 0) {
                assertTrue(n > 0, "a read returned 0 bytes");
                total += n;
                assertTrue(total <= bytes.length, "more body than bytes");
            }
        } catch (IOException e) {
            assertTrue(e.getMessage() != null || e instanceof java.io.EOFException);
        }
    }
}
