package org.masquerelay.client.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Just enough HTTP/1.1 for fetch and the proxy front end: header sections and message bodies. */
public final class Http1 {
    public static final int MAX_HEADER_SECTION = 64 * 1024;

    private Http1() {}

    /** A start line and its header lines, as read. */
    public record Head(String startLine, List<String[]> headers) {
        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }
    }

    /** Reads a header section (start line, header lines, empty line); null if the stream ends before any byte. */
    public static Head readHead(InputStream in) throws IOException {
        String start = readLine(in, true);
        if (start == null) {
            return null;
        }
        List<String[]> headers = new ArrayList<>();
        int total = start.length();
        while (true) {
            String line = readLine(in, false);
            if (line.isEmpty()) {
                return new Head(start, headers);
            }
            total += line.length();
            if (total > MAX_HEADER_SECTION) {
                throw new IOException("header section larger than " + MAX_HEADER_SECTION + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
        }
    }

    /** One line without its CRLF (a bare LF is tolerated); byte by byte so nothing after it is consumed. */
    private static String readLine(InputStream in, boolean eofAllowed) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (eofAllowed && line.size() == 0) {
                    return null;
                }
                throw new EOFException("connection ended inside an HTTP header section");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            if (line.size() > MAX_HEADER_SECTION) {
                throw new IOException("header line too long");
            }
            line.write(b);
        }
    }

    /** The body of a response to a request with this method, per RFC 9112 §6.3. */
    public static InputStream responseBody(InputStream in, String method, int status, Head head) throws IOException {
        if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
            return InputStream.nullInputStream();
        }
        String te = head.header("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            return new Chunked(in);
        }
        String cl = head.header("content-length");
        if (cl != null) {
            return new Bounded(in, contentLength(cl));
        }
        return in; // until the connection ends
    }

    /** Exactly n bytes, then end; an early end is an error (a truncated body must not pass for a whole one). */
    static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("body ended " + left + " bytes short of its content-length");
            }
            left -= n;
            return n;
        }
    }

    /**
     * RFC 9110 §8.6: Content-Length is 1*DIGIT. Long.parseLong also takes a sign, and a negative length made read()
     * fail with IndexOutOfBoundsException (found by fuzzing, HttpFrontEndFuzzTest#response).
     */
    public static long contentLength(String value) throws IOException {
        String digits = value.trim();
        if (digits.isEmpty() || digits.length() > 18) {
            throw new IOException("bad content-length: " + printable(value));
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                throw new IOException("bad content-length: " + printable(value));
            }
        }
        return Long.parseLong(digits);
    }

    /**
     * RFC 9112 §7.1: chunk-size is 1*HEXDIG, then optional extensions. Hex digits only: Long.parseLong also takes a
     * sign, and a negative size made read() fail with IndexOutOfBoundsException (found by fuzzing,
     * HttpFrontEndFuzzTest#response); more than 15 digits would overflow.
     */
    public static long chunkSize(String line) throws IOException {
        int semi = line.indexOf(';');
        String digits = (semi >= 0 ? line.substring(0, semi) : line).trim();
        if (digits.isEmpty() || digits.length() > 15) {
            throw new IOException("bad chunk size: " + printable(line));
        }
        for (int i = 0; i < digits.length(); i++) {
            if ("0123456789abcdefABCDEF".indexOf(digits.charAt(i)) < 0) {
                throw new IOException("bad chunk size: " + printable(line));
            }
        }
        return Long.parseLong(digits, 16);
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** Transfer-Encoding: chunked (RFC 9112 §7.1); trailers are read and dropped. */
    static final class Chunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                String size = readLine(in, false);
                left = chunkSize(size);
                if (left == 0) {
                    while (!readLine(in, false).isEmpty()) {
                        // trailer fields: ignored
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("body ended inside a chunk");
            }
            left -= n;
            if (left == 0) {
                readLine(in, false); // the CRLF after the chunk
            }
            return n;
        }
    }
}
