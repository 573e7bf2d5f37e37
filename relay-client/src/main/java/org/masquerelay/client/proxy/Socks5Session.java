package org.masquerelay.client.proxy;

import org.masquerelay.client.AuthenticationException;
import org.masquerelay.client.TargetUnreachableException;
import org.masquerelay.client.TunnelRefusedException;
import org.masquerelay.client.UdpChannel;
import org.masquerelay.client.TcpChannel;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One SOCKS5 client connection (RFC 1928), no authentication: CONNECT and UDP ASSOCIATE. */
final class Socks5Session {
    static final int SUCCEEDED = 0x00;
    static final int GENERAL_FAILURE = 0x01;
    static final int NOT_ALLOWED = 0x02;
    static final int HOST_UNREACHABLE = 0x04;
    static final int CONNECTION_REFUSED = 0x05;
    static final int COMMAND_NOT_SUPPORTED = 0x07;
    static final int ADDRESS_TYPE_NOT_SUPPORTED = 0x08;
    /** UDP flows one association may open (one connect-udp tunnel each). */
    private static final int MAX_UDP_FLOWS = 64;

    private final LocalProxy proxy;
    private final Socket socket;

    Socks5Session(LocalProxy proxy, Socket socket) {
        this.proxy = proxy;
        this.socket = socket;
    }

    void run() {
        try {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            if (in.read() != 5) {
                return; // not SOCKS5 (SOCKS4?): nothing sensible to answer, just close
            }
            byte[] methods = readExactly(in, in.read());
            boolean noAuth = false;
            for (byte m : methods) {
                noAuth |= m == 0;
            }
            if (!noAuth) {
                out.write(new byte[] {5, (byte) 0xFF}); // no acceptable method
                return;
            }
            out.write(new byte[] {5, 0});
            byte[] head = readExactly(in, 4);
            if (head[0] != 5) {
                reply(out, GENERAL_FAILURE, null);
                return;
            }
            int command = head[1];
            String host;
            switch (head[3]) {
                case 1 -> host = InetAddress.getByAddress(readExactly(in, 4)).getHostAddress();
                case 4 -> host = InetAddress.getByAddress(readExactly(in, 16)).getHostAddress();
                case 3 -> host = new String(readExactly(in, in.read()), StandardCharsets.US_ASCII);
                default -> {
                    reply(out, ADDRESS_TYPE_NOT_SUPPORTED, null);
                    return;
                }
            }
            byte[] p = readExactly(in, 2);
            int port = ((p[0] & 0xff) << 8) | (p[1] & 0xff);
            switch (command) {
                case 1 -> connect(in, out, host, port);
                case 3 -> associate(in, out);
                default -> reply(out, COMMAND_NOT_SUPPORTED, null);
            }
        } catch (IOException e) {
            // the client went away or sent garbage: its socket is closed by the caller
        }
    }

    private void connect(InputStream in, OutputStream out, String host, int port) throws IOException {
        TcpChannel channel;
        try {
            channel = proxy.track(proxy.client().connectTcp(host, port));
            channel.awaitEstablished(); // SOCKS needs the outcome before any data: no optimistic bytes here
        } catch (IOException | IllegalArgumentException e) {
            proxy.log("socks5 CONNECT " + host + ":" + port + " failed: " + e.getMessage());
            reply(out, replyCode(e), null);
            return;
        }
        proxy.log("socks5 CONNECT " + host + ":" + port + " -> " + channel.route());
        reply(out, SUCCEEDED, null);
        Pipe.run(in, socket, channel);
        proxy.release(channel);
    }

    /** UDP ASSOCIATE: a local UDP socket; each target named in a datagram gets its own (relayed) UDP flow. */
    private void associate(InputStream in, OutputStream out) throws IOException {
        InetAddress clientAddress = socket.getInetAddress();
        DatagramSocket udp = proxy.track(new DatagramSocket(new InetSocketAddress(socket.getLocalAddress(), 0)));
        Map<String, UdpChannel> flows = new ConcurrentHashMap<>();
        SocketAddress[] clientUdp = new SocketAddress[1];
        try {
            reply(out, SUCCEEDED, (InetSocketAddress) udp.getLocalSocketAddress());
            proxy.log("socks5 UDP ASSOCIATE on " + udp.getLocalSocketAddress());
            Thread.ofVirtual().start(() -> clientToFlows(udp, clientAddress, flows, clientUdp));
            // The association lives as long as the TCP connection (RFC 1928 §7).
            while (in.read() >= 0) {
                // the client sends nothing more here
            }
        } finally {
            flows.values().forEach(proxy::release);
            proxy.release(udp);
        }
    }

    private void clientToFlows(DatagramSocket udp, InetAddress clientAddress, Map<String, UdpChannel> flows, SocketAddress[] clientUdp) {
        byte[] buffer = new byte[65535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!udp.isClosed()) {
            try {
                packet.setLength(buffer.length);
                udp.receive(packet);
                if (!packet.getAddress().equals(clientAddress)) {
                    continue; // only the client that asked may use the association
                }
                clientUdp[0] = packet.getSocketAddress();
                Datagram d = Datagram.parse(buffer, packet.getLength());
                if (d == null) {
                    continue; // fragmented or malformed: dropped, as RFC 1928 §7 allows
                }
                String key = d.host + " " + d.port;
                UdpChannel flow = flows.get(key);
                if (flow == null) {
                    if (flows.size() >= MAX_UDP_FLOWS) {
                        continue;
                    }
                    flow = proxy.track(proxy.client().connectUdp(d.host, d.port));
                    flows.put(key, flow);
                    proxy.log("socks5 UDP " + d.host + ":" + d.port + " -> " + flow.route());
                    UdpChannel f = flow;
                    Thread.ofVirtual().start(() -> flowToClient(udp, f, d.header, clientUdp));
                }
                flow.send(buffer, d.dataOffset, packet.getLength() - d.dataOffset);
            } catch (IOException | IllegalArgumentException e) {
                if (udp.isClosed()) {
                    return;
                }
                proxy.log("socks5 UDP: " + e.getMessage()); // one bad datagram or flow; the association goes on
            }
        }
    }

    private void flowToClient(DatagramSocket udp, UdpChannel flow, byte[] header, SocketAddress[] clientUdp) {
        try {
            while (true) {
                byte[] payload = flow.receive(null);
                byte[] datagram = Arrays.copyOf(header, header.length + payload.length);
                System.arraycopy(payload, 0, datagram, header.length, payload.length);
                udp.send(new DatagramPacket(datagram, datagram.length, clientUdp[0]));
            }
        } catch (IOException e) {
            // the flow or the association ended
        }
    }

    /** A SOCKS5 UDP request header (RFC 1928 §7) with the offset where the payload starts. */
    private record Datagram(String host, int port, byte[] header, int dataOffset) {
        static Datagram parse(byte[] b, int length) throws UnknownHostException {
            if (length < 4 || b[2] != 0) {
                return null; // FRAG != 0: fragmentation is not supported
            }
            int pos = 4;
            String host;
            switch (b[3]) {
                case 1 -> {
                    if (length < pos + 6) {
                        return null;
                    }
                    host = InetAddress.getByAddress(Arrays.copyOfRange(b, pos, pos + 4)).getHostAddress();
                    pos += 4;
                }
                case 4 -> {
                    if (length < pos + 18) {
                        return null;
                    }
                    host = InetAddress.getByAddress(Arrays.copyOfRange(b, pos, pos + 16)).getHostAddress();
                    pos += 16;
                }
                case 3 -> {
                    int n = b[pos] & 0xff;
                    if (length < pos + 1 + n + 2) {
                        return null;
                    }
                    host = new String(b, pos + 1, n, StandardCharsets.US_ASCII);
                    pos += 1 + n;
                }
                default -> {
                    return null;
                }
            }
            int port = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            pos += 2;
            return new Datagram(host, port, Arrays.copyOf(b, pos), pos);
        }
    }

    /** RFC 1928 §6 reply codes for the typed failures. */
    static int replyCode(Exception e) {
        if (e instanceof TunnelRefusedException || e instanceof AuthenticationException) {
            return NOT_ALLOWED;
        }
        if (e instanceof TargetUnreachableException t) {
            return "connection_refused".equals(t.proxyError()) ? CONNECTION_REFUSED : HOST_UNREACHABLE;
        }
        if (e instanceof ConnectException) {
            return CONNECTION_REFUSED;
        }
        if (e instanceof UnknownHostException || e instanceof IllegalArgumentException) {
            return HOST_UNREACHABLE;
        }
        return GENERAL_FAILURE; // relay unreachable or untrusted, timeouts, other relay errors
    }

    private static void reply(OutputStream out, int code, InetSocketAddress bound) throws IOException {
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.write(new byte[] {5, (byte) code, 0});
        InetAddress address = bound == null ? InetAddress.getByAddress(new byte[4]) : bound.getAddress();
        r.write(address instanceof Inet4Address ? 1 : 4);
        r.write(address.getAddress());
        int port = bound == null ? 0 : bound.getPort();
        r.write(port >> 8);
        r.write(port & 0xff);
        out.write(r.toByteArray());
        out.flush();
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
