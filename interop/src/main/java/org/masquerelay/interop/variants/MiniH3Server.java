package org.masquerelay.interop.variants;

import org.masquerelay.wire.FrameReader;
import org.masquerelay.wire.FrameWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.VarInt;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.qpack.Decoder;
import tech.kwik.qpack.Encoder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A deliberately small HTTP/3 server on raw Kwik streams, independent of our engine, so that each faulty relay can
 * get exactly one thing wrong: the SETTINGS bytes it sends, whether QUIC DATAGRAM is offered, how strictly it reads
 * the client's control stream, and what it does with each request ({@link Behaviour}). It serves no real tunnels:
 * a CONNECT that it accepts is echoed (bytes on the stream, datagrams on the connection), which is all a probe needs.
 */
public final class MiniH3Server implements AutoCloseable {

    /** What the server does with one request stream after its HEADERS were read. */
    @FunctionalInterface
    public interface Behaviour {
        void handle(Request request) throws IOException;
    }

    /**
     * @param settingsPayload             the SETTINGS frame payload exactly as sent (may be wrong on purpose)
     * @param datagrams                   offer QUIC DATAGRAM (max_datagram_frame_size)
     * @param closeOnUnknownControlFrame  close the connection (H3_FRAME_UNEXPECTED) on any frame type on the
     *                                    client's control stream other than SETTINGS/GOAWAY/MAX_PUSH_ID
     */
    public record Options(KeyStore keyStore, String alias, char[] password, byte[] settingsPayload, boolean datagrams,
                          boolean closeOnUnknownControlFrame, Behaviour behaviour) {
    }

    /** One request stream, with helpers to answer it. */
    public static final class Request {
        public final HttpFields headers;
        public final QuicConnection connection;
        private final QuicStream stream;
        private final FrameReader reader;
        private final FrameWriter writer;
        private final Encoder encoder;

        Request(HttpFields headers, QuicConnection connection, QuicStream stream, FrameReader reader, Encoder encoder) {
            this.headers = headers;
            this.connection = connection;
            this.stream = stream;
            this.reader = reader;
            this.writer = new FrameWriter(stream.getOutputStream());
            this.encoder = encoder;
        }

        public boolean isClassicConnect() {
            return "CONNECT".equals(headers.getOrNull(":method")) && !headers.contains(":protocol");
        }

        public boolean isConnectUdp() {
            return "connect-udp".equals(headers.getOrNull(":protocol"));
        }

        public String path() {
            return headers.getOrNull(":path");
        }

        public InputStream body() {
            return reader.dataStream();
        }

        public void respond(String status, String... headerPairs) throws IOException {
            List<Map.Entry<String, String>> lines = new ArrayList<>();
            lines.add(new AbstractMap.SimpleImmutableEntry<>(":status", status));
            for (int i = 0; i + 1 < headerPairs.length; i += 2) {
                lines.add(new AbstractMap.SimpleImmutableEntry<>(headerPairs[i], headerPairs[i + 1]));
            }
            ByteBuffer buffer;
            synchronized (encoder) {
                buffer = encoder.compressHeaders(lines);
            }
            buffer.flip();
            byte[] section = new byte[buffer.remaining()];
            buffer.get(section);
            writer.writeHeaders(section);
            writer.flush();
        }

        public void writeData(byte[] data) throws IOException {
            writer.writeData(data, 0, data.length);
            writer.flush();
        }

        public void finish() throws IOException {
            stream.getOutputStream().close();
        }

        public void reset(long h3Error) {
            stream.abortReading(h3Error);
            stream.resetStream(h3Error);
        }

        /** Echoes DATA until the client's FIN, then FINs: a stand-in for a working tunnel to an echo target. */
        public void echo() throws IOException {
            InputStream in = body();
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (n > 0) {
                    writeData(java.util.Arrays.copyOf(buf, n));
                }
            }
            finish();
        }
    }

    private final KwikListener listener;

    private MiniH3Server(KwikListener listener) {
        this.listener = listener;
    }

    /** SETTINGS as a relay should send them: 0x08=1, 0x33=1 (plus QPACK zeros), each once. */
    public static byte[] goodSettings() {
        return settings(H3.SETTINGS_QPACK_MAX_TABLE_CAPACITY, 0, H3.SETTINGS_QPACK_BLOCKED_STREAMS, 0,
                H3.SETTINGS_ENABLE_CONNECT_PROTOCOL, 1, H3.SETTINGS_H3_DATAGRAM, 1);
    }

    /** A SETTINGS payload from id/value pairs, in order, duplicates allowed. */
    public static byte[] settings(long... idValuePairs) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (long v : idValuePairs) {
            out.writeBytes(VarInt.encode(v));
        }
        return out.toByteArray();
    }

    public static MiniH3Server start(InetSocketAddress bind, Options options) throws IOException {
        return new MiniH3Server(KwikListener.start(bind, options.keyStore(), options.alias(), options.password(), new Factory(options)));
    }

    public InetSocketAddress address() {
        return listener.address();
    }

    @Override
    public void close() {
        listener.close();
    }

    private record Factory(Options options) implements ApplicationProtocolConnectionFactory {
        @Override
        public ApplicationProtocolConnection createConnection(String protocol, QuicConnection quic) {
            if (options.datagrams()) {
                // Echo every HTTP datagram unchanged (same quarter stream id): the stand-in for a UDP echo target.
                quic.setDatagramHandler(quic::sendDatagram, Executors.newSingleThreadExecutor(Thread.ofVirtual().factory()));
            }
            try {
                OutputStream control = quic.createStream(false).getOutputStream();
                control.write(VarInt.encode(H3.STREAM_CONTROL));
                control.write(FrameWriter.encodeFrame(H3.FRAME_SETTINGS, options.settingsPayload(), 0, options.settingsPayload().length));
                control.flush();
            } catch (IOException e) {
                quic.close();
            }
            Encoder encoder = Encoder.newBuilder().build();
            return new ApplicationProtocolConnection() {
                @Override
                public void acceptPeerInitiatedStream(QuicStream stream) {
                    Thread.ofVirtual().name("mini-h3-" + stream.getStreamId()).start(() -> {
                        if (stream.isUnidirectional()) {
                            readUnidirectional(quic, stream);
                        } else {
                            serve(quic, stream, encoder);
                        }
                    });
                }
            };
        }

        private void readUnidirectional(QuicConnection quic, QuicStream stream) {
            try {
                InputStream in = stream.getInputStream();
                long type = VarInt.read(in);
                if (type != H3.STREAM_CONTROL || !options.closeOnUnknownControlFrame()) {
                    in.transferTo(OutputStream.nullOutputStream());
                    return;
                }
                while (true) {
                    long frameType = VarInt.read(in);
                    long length = VarInt.read(in);
                    in.skipNBytes(length);
                    if (frameType != H3.FRAME_SETTINGS && frameType != H3.FRAME_GOAWAY && frameType != H3.FRAME_MAX_PUSH_ID) {
                        // The mistake: RFC 9114 §9 says unknown frame types MUST be ignored.
                        quic.close(H3.H3_FRAME_UNEXPECTED, "unexpected frame type 0x" + Long.toHexString(frameType));
                        return;
                    }
                }
            } catch (IOException e) {
                // Connection gone.
            }
        }

        private void serve(QuicConnection quic, QuicStream stream, Encoder encoder) {
            FrameReader reader = new FrameReader(stream.getInputStream(), 64 * 1024, 16L * 1024 * 1024);
            try {
                byte[] section = reader.readFieldSection();
                if (section == null) {
                    return;
                }
                List<Map.Entry<String, String>> lines = Decoder.newBuilder().build().decodeStream(new ByteArrayInputStream(section));
                HttpFields.Builder fields = HttpFields.builder();
                lines.forEach(l -> fields.add(l.getKey(), l.getValue()));
                options.behaviour().handle(new Request(fields.build(), quic, stream, reader, encoder));
            } catch (IOException | RuntimeException e) {
                stream.resetStream(H3.H3_INTERNAL_ERROR);
            }
        }

        @Override
        public boolean enableDatagramExtension() {
            return options.datagrams();
        }

        @Override
        public int maxConcurrentPeerInitiatedUnidirectionalStreams() {
            return 16;
        }

        @Override
        public int maxConcurrentPeerInitiatedBidirectionalStreams() {
            return 100;
        }
    }

}
