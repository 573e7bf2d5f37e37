package org.masquerelay.client.proxy;

import org.masquerelay.client.AuthenticationException;
import org.masquerelay.client.TargetUnreachableException;
import org.masquerelay.client.TunnelRefusedException;
import org.masquerelay.client.UdpChannel;
import org.masquerelay.client.TcpChannel;

import java.io.ByteArrayOutputStream;
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
            boolean noAuth;
            try {
                noAuth = Socks5Request.readGreeting(in);
            } catch (Socks5Request.Refused e) {
                return; // not SOCKS5 (SOCKS4?): nothing sensible to answer, just close
            }
            if (!noAuth) {
                out.write(new byte[] {5, (byte) 0xFF}); // no acceptable method
                return;
            }
            out.write(new byte[] {5, 0});
            Socks5Request request;
            try {
                request = Socks5Request.read(in);
            } catch (Socks5Request.Refused e) {
                proxy.log("socks5: refused: " + e.getMessage());
                reply(out, e.replyCode, null);
                return;
            }
            if (request.command() == Socks5Request.CONNECT) {
                connect(in, out, request.target().host(), request.target().port());
            } else {
                associate(in, out);
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
                Socks5Request.Datagram d = Socks5Request.Datagram.parse(buffer, packet.getLength());
                if (d == null) {
                    continue; // fragmented or malformed: dropped, as RFC 1928 §7 allows
                }
                String host = d.target().host();
                int port = d.target().port();
                String key = host + " " + port;
                UdpChannel flow = flows.get(key);
                if (flow == null) {
                    if (flows.size() >= MAX_UDP_FLOWS) {
                        continue;
                    }
                    flow = proxy.track(proxy.client().connectUdp(host, port));
                    flows.put(key, flow);
                    proxy.log("socks5 UDP " + host + ":" + port + " -> " + flow.route());
                    UdpChannel f = flow;
                    Thread.ofVirtual().start(() -> flowToClient(udp, f, d.header(), clientUdp));
                }
                flow.send(buffer, d.dataOffset(), packet.getLength() - d.dataOffset());
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
}
