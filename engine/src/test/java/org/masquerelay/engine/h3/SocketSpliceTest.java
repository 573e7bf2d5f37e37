package org.masquerelay.engine.h3;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.masquerelay.engine.TcpSplicer;
import org.masquerelay.engine.TcpTarget;
import org.masquerelay.engine.TunnelMeter;
import org.masquerelay.testpeers.TcpEchoServer;
import org.masquerelay.wire.FrameReader;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The data plane of blocking engines ({@link SocketSplicer}, {@link SocketSplice}) under a real {@link FramedStream},
 * on loopback: the request stream's bytes travel over a TCP socket pair standing in for the QUIC stream (FIN is a
 * half-close), the target is a real TCP server. DATA framing, optimistic data, half-close both ways, the byte counts
 * and a target's reset becoming RESET_STREAM H3_CONNECT_ERROR.
 */
class SocketSpliceTest {
    private static final long T = 10;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private ServerSocket streamListener;
    private Socket clientEnd;
    private Socket relayEnd;
    private final CompletableFuture<Long> resetCode = new CompletableFuture<>();

    @BeforeEach
    void streamOverLoopback() throws IOException {
        streamListener = new ServerSocket(0, 1, LOOPBACK);
        clientEnd = new Socket(LOOPBACK, streamListener.getLocalPort());
        relayEnd = streamListener.accept();
    }

    @AfterEach
    void close() throws IOException {
        clientEnd.close();
        relayEnd.close();
        streamListener.close();
    }

    /** The client's CONNECT request on its end of the stream. */
    private FrameWriter clientRequest() throws IOException {
        FrameWriter client = new FrameWriter(clientEnd.getOutputStream(), () -> { });
        client.writeHeaders(new Qpack().encode(HttpFields.builder().add(":method", "CONNECT")
                .add(":authority", "127.0.0.1:9").build()));
        return client;
    }

    /** The relay's end of the request stream after its HEADERS, with the engine parts a loopback socket can play. */
    private ServerRequestStream relayStream() throws IOException {
        ServerRequestStream stream = requestStream();
        assertEquals("CONNECT", stream.readRequest().getOrNull(":method"));
        return stream;
    }

    private ServerRequestStream requestStream() {
        QuicStreamIo io = new QuicStreamIo() {
            @Override
            public long id() {
                return 0;
            }

            @Override
            public InputStream in() {
                try {
                    return relayEnd.getInputStream();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public OutputStream out() {
                try {
                    return new java.io.FilterOutputStream(relayEnd.getOutputStream()) {
                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            out.write(b, off, len);
                        }

                        @Override
                        public void close() throws IOException {
                            relayEnd.shutdownOutput(); // FIN
                        }
                    };
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void resetOutput(long errorCode) {
                resetCode.complete(errorCode);
                try {
                    relayEnd.shutdownOutput();
                } catch (IOException ignored) {
                    // Closed already.
                }
            }

            @Override
            public void abortInput(long errorCode) {
                try {
                    relayEnd.shutdownInput();
                } catch (IOException ignored) {
                    // Closed already.
                }
            }
        };
        return new ServerRequestStream(io, new NoDatagrams(), new Qpack(), 16 * 1024, 16L * 1024 * 1024);
    }

    /** What the splice reports. */
    private static final class Meter implements TunnelMeter {
        final AtomicLong up = new AtomicLong();
        final AtomicLong down = new AtomicLong();
        final CompletableFuture<String> ended = new CompletableFuture<>();

        @Override
        public void up(long bytes) {
            up.addAndGet(bytes);
        }

        @Override
        public void down(long bytes) {
            down.addAndGet(bytes);
        }

        @Override
        public void ended(String how) {
            ended.complete(how);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void bytesAreEchoedAsDataFramesAndFinTravelsBothWays() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer(LOOPBACK)) {
            FrameWriter client = clientRequest();
            OutputStream up = client.dataOutputStream();
            up.write(ascii("optimistic ")); // sent before the target is even connected

            ServerRequestStream stream = relayStream();
            TcpSplicer splicer = stream.tcp();
            TcpTarget target = splicer.connect(echo.address(), Duration.ofSeconds(T)).get(T, TimeUnit.SECONDS);
            assertEquals(echo.address().getPort(), target.remoteAddress().getPort());
            stream.respond(HttpFields.builder().add(":status", "200").build());
            Meter meter = new Meter();
            Thread splice = Thread.ofVirtual().start(() -> splicer.splice(target, Duration.ofSeconds(30), meter));

            up.write(ascii("hello"));
            FrameReader reader = new FrameReader(clientEnd.getInputStream(), 16 * 1024, 16L * 1024 * 1024);
            assertEquals("200", new Qpack().decode(reader.readFieldSection()).getOrNull(":status"));
            InputStream down = reader.dataStream();
            assertArrayEquals(ascii("optimistic hello"), down.readNBytes(16));
            clientEnd.shutdownOutput(); // the client's FIN: the target is half-closed and ends its side
            assertEquals(-1, down.read(), "the target's FIN comes back as the end of the stream");
            splice.join(TimeUnit.SECONDS.toMillis(T));
            assertEquals(16, meter.up.get());
            assertEquals(16, meter.down.get());
            assertEquals("target closed", meter.ended.get(T, TimeUnit.SECONDS));
            assertTrue(!resetCode.isDone(), "a clean end resets nothing");
        }
    }

    @Test
    void aTargetResetBecomesResetStreamConnectError() throws Exception {
        try (ServerSocket rude = new ServerSocket(0, 1, LOOPBACK)) {
            clientRequest();
            ServerRequestStream stream = relayStream();
            TcpSplicer splicer = stream.tcp();
            TcpTarget target = splicer.connect(new InetSocketAddress(LOOPBACK, rude.getLocalPort()),
                    Duration.ofSeconds(T)).get(T, TimeUnit.SECONDS);
            Meter meter = new Meter();
            Thread splice = Thread.ofVirtual().start(() -> splicer.splice(target, Duration.ofSeconds(30), meter));
            try (Socket accepted = rude.accept()) {
                accepted.setSoLinger(true, 0); // close = RST
            }
            assertEquals(H3.H3_CONNECT_ERROR, resetCode.get(T, TimeUnit.SECONDS), "RFC 9114 §4.4");
            assertTrue(meter.ended.get(T, TimeUnit.SECONDS).startsWith("target reset"), meter.ended.get());
            clientEnd.shutdownOutput();
            splice.join(TimeUnit.SECONDS.toMillis(T));
        }
    }

    /** A connection whose streams carry no datagrams: enough for a splice, which never touches them. */
    private static final class NoDatagrams extends H3ConnectionBase {
        NoDatagrams() {
            super(DEFAULT_PENDING_DATAGRAMS);
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return new InetSocketAddress(LOOPBACK, 1);
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress(LOOPBACK, 2);
        }

        @Override
        public boolean datagramsEnabled() {
            return false;
        }

        @Override
        public int maxDatagramSize() {
            return 0;
        }

        @Override
        protected boolean sendQuicDatagram(byte[] datagram) {
            return false;
        }

        @Override
        protected void writeControl(byte[] frames) {
            // no control stream: a splice never writes one
        }

        @Override
        public void close(long h3ErrorCode, String reason) {
            closed(reason);
        }
    }
}
