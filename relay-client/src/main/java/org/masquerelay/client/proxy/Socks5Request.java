package org.masquerelay.client.proxy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.masquerelay.wire.Refusal;
import org.masquerelay.wire.Target;

/**
 * The SOCKS5 wire formats a local client sends (RFC 1928), parsed without I/O of their own: the method greeting (§3),
 * the request (§4, §5) and the UDP request header (§7). A target name is checked as a CONNECT target is (a DNS name
 * or an IP literal, port 1-65535), so a name with spaces or control characters never reaches the relay or a log line.
 */
record Socks5Request(int command, Target target) {
    static final int CONNECT = 1;
    static final int UDP_ASSOCIATE = 3;

    /** A request the session answers with a SOCKS5 reply code (RFC 1928 §6) instead of a tunnel. */
    static final class Refused extends IOException {
        final int replyCode;

        Refused(int replyCode, String message) {
            super(message);
            this.replyCode = replyCode;
        }
    }

    /**
     * The client's greeting: whether it offers "no authentication" (method 0), the only method served here.
     *
     * @throws Refused     version other than 5 (SOCKS4 and others: nothing sensible to answer, the caller closes)
     * @throws EOFException the connection ended inside the greeting
     */
    static boolean readGreeting(InputStream in) throws IOException {
        int version = in.read();
        if (version != 5) {
            throw new Refused(-1, "not SOCKS5 (version byte " + version + ")");
        }
        byte[] methods = readExactly(in, in.read());
        for (byte m : methods) {
            if (m == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The request after the method was chosen: command and destination.
     *
     * @throws Refused with the reply code to answer: 0x01 wrong version, 0x08 unknown address type, 0x04 a name that
     *                 cannot be a host or port 0, 0x07 a command other than CONNECT and UDP ASSOCIATE
     */
    static Socks5Request read(InputStream in) throws IOException {
        byte[] head = readExactly(in, 4);
        if (head[0] != 5) {
            throw new Refused(Socks5Session.GENERAL_FAILURE, "request version " + head[0] + ", not 5");
        }
        String host = switch (head[3]) {
            case 1 -> InetAddress.getByAddress(readExactly(in, 4)).getHostAddress();
            case 4 -> InetAddress.getByAddress(readExactly(in, 16)).getHostAddress();
            case 3 -> new String(readExactly(in, in.read()), StandardCharsets.ISO_8859_1);
            default -> throw new Refused(Socks5Session.ADDRESS_TYPE_NOT_SUPPORTED, "address type " + head[3]);
        };
        byte[] p = readExactly(in, 2);
        int port = ((p[0] & 0xff) << 8) | (p[1] & 0xff);
        int command = head[1];
        if (command != CONNECT && command != UDP_ASSOCIATE) {
            throw new Refused(Socks5Session.COMMAND_NOT_SUPPORTED, "command " + command);
        }
        if (command == UDP_ASSOCIATE) {
            // The address is where the client will send from, often 0.0.0.0:0 (§7): not a target.
            return new Socks5Request(command, null);
        }
        return new Socks5Request(command, Socks5Request.target(host, port));
    }

    /** A SOCKS5 UDP request header (RFC 1928 §7) with the offset where the payload starts. */
    record Datagram(Target target, byte[] header, int dataOffset) {
        /** Null when the datagram is fragmented, truncated or names no valid target: dropped, as §7 allows. */
        static Datagram parse(byte[] b, int length) {
            if (length < 4 || length > b.length || b[2] != 0) {
                return null; // FRAG != 0: fragmentation is not supported
            }
            int pos = 4;
            String host;
            try {
                switch (b[3]) {
                    case 1 -> {
                        if (length < pos + 4 + 2) {
                            return null;
                        }
                        host = InetAddress.getByAddress(Arrays.copyOfRange(b, pos, pos + 4)).getHostAddress();
                        pos += 4;
                    }
                    case 4 -> {
                        if (length < pos + 16 + 2) {
                            return null;
                        }
                        host = InetAddress.getByAddress(Arrays.copyOfRange(b, pos, pos + 16)).getHostAddress();
                        pos += 16;
                    }
                    case 3 -> {
                        // The length byte itself must be inside the datagram: past it lies an old datagram's data.
                        if (length < pos + 1) {
                            return null;
                        }
                        int n = b[pos] & 0xff;
                        if (length < pos + 1 + n + 2) {
                            return null;
                        }
                        host = new String(b, pos + 1, n, StandardCharsets.ISO_8859_1);
                        pos += 1 + n;
                    }
                    default -> {
                        return null;
                    }
                }
                int port = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
                pos += 2;
                return new Datagram(Socks5Request.target(host, port), Arrays.copyOf(b, pos), pos);
            } catch (IOException e) {
                return null;
            }
        }
    }

    private static Target target(String host, int port) throws Refused {
        try {
            return Target.of(host, port);
        } catch (Refusal e) {
            throw new Refused(Socks5Session.HOST_UNREACHABLE, e.getMessage());
        }
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        if (n < 0) {
            throw new EOFException();
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException();
        }
        return b;
    }
}
