package org.masquerelay.interop.bench;

import io.netty.channel.EventLoopGroup;
import org.masquerelay.client.TrustMaterial;
import org.masquerelay.engine.ClientEngineSettings;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.engine.ClientConnection;
import org.masquerelay.engine.kwik.KwikClientEngine;
import org.masquerelay.testpeers.NettyH3Client;
import org.masquerelay.testpeers.PeerException;
import org.masquerelay.testpeers.Tunnel;
import org.masquerelay.wire.Capsule;
import org.masquerelay.wire.CapsuleReader;
import org.masquerelay.wire.CapsuleType;
import org.masquerelay.wire.CapsuleWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.UdpPayload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The two HTTP/3 client stacks the benchmark drives the relay with: ours on Kwik, and Netty/quiche. */
final class Clients {
    static final Duration T = Duration.ofSeconds(20);

    private Clients() {}

    /** Receives UDP payloads from a path (single-threaded per path). */
    @FunctionalInterface
    interface Receiver {
        void received(byte[] buf, int off, int len);
    }

    /** A UDP flow to one target: through a tunnel (datagrams or capsules) or direct. */
    interface UdpPath extends AutoCloseable {
        void send(byte[] payload) throws IOException;

        void setReceiver(Receiver receiver);

        @Override
        void close();
    }

    /** One HTTP/3 connection to the relay, with the operations the benchmark rows need. */
    interface Client extends AutoCloseable {
        String stack();

        /** A new tunnel to the {@link Targets.Source}; reads {@code n} bytes; returns the bytes received. */
        long download(String sourceAuthority, long n) throws IOException;

        /** A new tunnel to the HTTP origin with the request as optimistic data; nanoseconds to the first byte. */
        long timeToFirstByte(String httpAuthority, byte[] request) throws IOException;

        /** A tunnel to the echo target: CONNECT, 200, FIN, FIN back. */
        void tunnelCycle(String echoAuthority) throws IOException;

        /** CONNECT and wait for 200, leaving the tunnel open (idle-tunnel cost rows). */
        void openIdle(String authority) throws IOException;

        UdpPath openUdp(int targetPort, boolean capsules) throws IOException;

        /** Closes the connection; unblocks every read on it. */
        @Override
        void close();
    }

    static String udpPath(int port) {
        return "/.well-known/masque/udp/127.0.0.1/" + port + "/";
    }

    // ------------------------------------------------------------------------------------------------ Kwik

    static final class Kwik implements Client {
        private final ClientConnection connection;

        private Kwik(ClientConnection connection) {
            this.connection = connection;
        }

        /** Verifies the relay's certificate against its dev CA, as a real client would. */
        static Kwik connect(InetSocketAddress relay, Path caCertificate) throws IOException {
            String host = relay.getHostString();
            return new Kwik(new KwikClientEngine().connect(ClientEngineSettings.builder().relay(host, relay.getPort())
                    .trustManager(TrustMaterial.forQuic(TrustMaterial.fromCaFile(caCertificate), host))
                    .idleTimeout(Duration.ofSeconds(60)).connectTimeout(T).build()));
        }

        @Override
        public String stack() {
            return "kwik";
        }

        private ClientStream connect(String authority) throws IOException {
            return connection.openRequest(HttpFields.builder().add(":method", "CONNECT").add(":authority", authority).build());
        }

        private static void expect200(ClientStream stream) throws IOException {
            HttpFields response = stream.awaitResponse(T);
            if (!"200".equals(response.getOrNull(":status"))) {
                throw new IOException("relay answered " + response.getOrNull(":status"));
            }
        }

        @Override
        public long download(String sourceAuthority, long n) throws IOException {
            ClientStream stream = connect(sourceAuthority);
            stream.bodyOut().write(Targets.Source.request(n));
            expect200(stream);
            InputStream in = stream.body();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            int k;
            while (total < n && (k = in.read(buf)) >= 0) {
                total += k;
            }
            stream.finish();
            return total;
        }

        @Override
        public long timeToFirstByte(String httpAuthority, byte[] request) throws IOException {
            long t0 = System.nanoTime();
            ClientStream stream = connect(httpAuthority);
            stream.bodyOut().write(request);
            expect200(stream);
            InputStream in = stream.body();
            if (in.read() < 0) {
                throw new IOException("no response from the origin");
            }
            long t1 = System.nanoTime();
            in.transferTo(OutputStream.nullOutputStream());
            stream.finish();
            return t1 - t0;
        }

        @Override
        public void tunnelCycle(String echoAuthority) throws IOException {
            ClientStream stream = connect(echoAuthority);
            expect200(stream);
            stream.finish();
            stream.body().transferTo(OutputStream.nullOutputStream());
        }

        @Override
        public void openIdle(String authority) throws IOException {
            expect200(connect(authority));
        }

        @Override
        public UdpPath openUdp(int targetPort, boolean capsules) throws IOException {
            ClientStream stream = connection.openRequest(HttpFields.builder()
                    .add(":method", "CONNECT").add(":protocol", "connect-udp").add(":scheme", "https")
                    .add(":authority", "localhost").add(":path", udpPath(targetPort)).add("capsule-protocol", "?1").build());
            expect200(stream);
            return new UdpPath() {
                private volatile Thread capsuleReader;

                @Override
                public void send(byte[] payload) throws IOException {
                    if (capsules) {
                        stream.bodyOut().write(CapsuleWriter.datagramCapsule(UdpPayload.CONTEXT_UDP, payload, 0, payload.length));
                    } else if (!stream.sendDatagram(UdpPayload.CONTEXT_UDP, payload, 0, payload.length)) {
                        throw new IOException("datagram not sent");
                    }
                }

                @Override
                public void setReceiver(Receiver receiver) {
                    if (!capsules) {
                        stream.receiveDatagrams((buffer, offset, length) -> {
                            UdpPayload p = UdpPayload.decode(buffer, offset, length);
                            if (p.isUdp()) {
                                receiver.received(p.buffer(), p.offset(), p.length());
                            }
                        });
                        return;
                    }
                    capsuleReader = Thread.ofPlatform().daemon().name("bench-capsules-" + stream.streamId()).start(() -> {
                        CapsuleReader reader = new CapsuleReader(stream.body(), UdpPayload.MAX_UDP_PAYLOAD + 8);
                        try {
                            Capsule c;
                            while ((c = reader.read()) != null) {
                                if (c.type() == CapsuleType.DATAGRAM) {
                                    UdpPayload p = UdpPayload.decode(c.value(), 0, c.value().length);
                                    if (p.isUdp()) {
                                        receiver.received(p.buffer(), p.offset(), p.length());
                                    }
                                }
                            }
                        } catch (IOException e) {
                            // stream ended
                        }
                    });
                }

                @Override
                public void close() {
                    stream.receiveDatagrams(null);
                    try {
                        stream.finish();
                    } catch (IOException e) {
                        stream.reset(H3.H3_NO_ERROR);
                    }
                    stream.stopSending(H3.H3_NO_ERROR);
                }
            };
        }

        @Override
        public void close() {
            connection.close(H3.H3_NO_ERROR, "benchmark done");
        }
    }

    // ------------------------------------------------------------------------------------------------ Netty

    static final class Netty implements Client {
        private final NettyH3Client client;

        private Netty(NettyH3Client client) {
            this.client = client;
        }

        static Netty connect(InetSocketAddress relay, Path caCertificate) {
            return new Netty(NettyH3Client.connect(relay, NettyH3Client.Options.defaults().trusting(caCertificate)));
        }

        /** A connection on event loops shared with other clients, offering {@code idleTimeout} (scale rows). */
        static Netty connect(InetSocketAddress relay, Path caCertificate, EventLoopGroup loops, Duration idleTimeout)
                throws IOException {
            try {
                return new Netty(NettyH3Client.connect(relay, NettyH3Client.Options.defaults().trusting(caCertificate)
                        .on(loops).withIdleTimeout(idleTimeout)));
            } catch (PeerException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public String stack() {
            return "netty";
        }

        private static void expect200(Tunnel tunnel) throws IOException {
            int status = tunnel.awaitResponse(T).status();
            if (status != 200) {
                throw new IOException("relay answered " + status);
            }
        }

        @Override
        public long download(String sourceAuthority, long n) throws IOException {
            try {
                Tunnel tunnel = client.openTcp(sourceAuthority, Map.of(), Targets.Source.request(n));
                expect200(tunnel);
                long total = 0;
                while (total < n) {
                    int k = (int) Math.min(256 * 1024, n - total);
                    total += tunnel.readBytes(k, T).length;
                }
                tunnel.shutdownOutput();
                return total;
            } catch (PeerException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public long timeToFirstByte(String httpAuthority, byte[] request) throws IOException {
            try {
                long t0 = System.nanoTime();
                Tunnel tunnel = client.openTcp(httpAuthority, Map.of(), request);
                expect200(tunnel);
                tunnel.readBytes(1, T);
                long t1 = System.nanoTime();
                tunnel.readToEnd(T);
                tunnel.shutdownOutput();
                return t1 - t0;
            } catch (PeerException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void tunnelCycle(String echoAuthority) throws IOException {
            try {
                Tunnel tunnel = client.openTcp(echoAuthority, Map.of(), null);
                expect200(tunnel);
                tunnel.shutdownOutput();
                if (!tunnel.awaitFin(T)) {
                    throw new IOException("no FIN from the relay");
                }
            } catch (PeerException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void openIdle(String authority) throws IOException {
            try {
                expect200(client.openTcp(authority, Map.of(), null));
            } catch (PeerException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public UdpPath openUdp(int targetPort, boolean capsules) throws IOException {
            if (capsules) {
                throw new UnsupportedOperationException("the benchmark drives capsules with our client only");
            }
            Tunnel tunnel;
            try {
                tunnel = client.openUdp("localhost", udpPath(targetPort), Map.of());
                expect200(tunnel);
            } catch (PeerException e) {
                throw new IOException(e.getMessage(), e);
            }
            return new UdpPath() {
                private volatile boolean closed;

                @Override
                public void send(byte[] payload) throws IOException {
                    try {
                        tunnel.sendDatagram(0, payload);
                    } catch (PeerException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                }

                @Override
                public void setReceiver(Receiver receiver) {
                    // The peer queues datagrams per tunnel; one platform thread hands them on.
                    Thread.ofPlatform().daemon().name("bench-netty-datagrams").start(() -> {
                        while (!closed) {
                            Optional<byte[]> d;
                            try {
                                d = tunnel.pollDatagram(Duration.ofMillis(50));
                            } catch (PeerException e) {
                                return;
                            }
                            d.ifPresent(b -> receiver.received(b, 0, b.length));
                        }
                    });
                }

                @Override
                public void close() {
                    closed = true;
                    try {
                        tunnel.shutdownOutput();
                    } catch (PeerException ignored) {
                        // already gone
                    }
                }
            };
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
