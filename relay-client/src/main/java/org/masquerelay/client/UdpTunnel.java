package org.masquerelay.client;

import org.masquerelay.client.internal.RelayAnswer;
import org.masquerelay.client.internal.RelayHop;
import org.masquerelay.engine.ClientStream;
import org.masquerelay.wire.Capsule;
import org.masquerelay.wire.CapsuleReader;
import org.masquerelay.wire.CapsuleType;
import org.masquerelay.wire.CapsuleWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.VarInt;
import org.masquerelay.wire.HttpFields;
import org.masquerelay.wire.UdpPayload;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connect-udp tunnel (RFC 9298). Payloads go as HTTP Datagrams in QUIC DATAGRAM frames when the relay offers
 * them, or as DATAGRAM capsules on the request stream ({@link UdpMode#CAPSULES}, or a relay without datagrams);
 * both are accepted in the other direction. Payloads may be sent before the 200 (optimistic, like the QUIC Initial
 * Apple's client sends); the relay holds them until the target socket is open.
 */
public final class UdpTunnel implements UdpChannel {
    /** Payloads kept for a slow reader; beyond that, new ones are dropped (UDP is lossy anyway). */
    private static final int RECEIVE_QUEUE = 1024;
    /** Marks the end of the flow in the receive queue. */
    private static final byte[] END = new byte[0];

    private final ClientStream stream;
    private final boolean capsules;
    private final HttpFields request;
    private final String target;
    private final Route route;
    private final RelayAnswer response = new RelayAnswer();
    private final LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>(RECEIVE_QUEUE);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile IOException failure;

    UdpTunnel(ClientStream stream, RelayHop.Connected hop, boolean capsules, HttpFields request, String target, Route route, Duration requestTimeout) {
        this.stream = stream;
        this.capsules = capsules;
        this.request = request;
        this.target = target;
        this.route = route;
        stream.receiveDatagrams((buffer, offset, length) -> deliver(UdpPayload.decode(buffer, offset, length)));
        Thread.ofVirtual().name("udp-tunnel-" + stream.streamId()).start(() -> run(requestTimeout));
    }

    /**
     * The local address of the connection to the relay that carries this tunnel (after a retry on a new connection,
     * that one's): what a load balancer in front of a fleet sees of it.
     */
    public java.net.InetSocketAddress localAddress() {
        return stream.connection().localAddress();
    }

    private void run(Duration timeout) {
        if (!response.read(stream, timeout, "connect-udp", target, closed::get)) {
            // The typed failure first, so a racing send() sees it; the stream is ended by close(), on the owner's
            // thread, as a reset from here would race its capsule writes (see TcpTunnel).
            end(closed.get() ? null : response.failureNow());
            return;
        }
        try {
            // The stream now carries capsules (RFC 9297 §3): DATAGRAM ones hold payloads, others are skipped.
            CapsuleReader reader = new CapsuleReader(stream.body(), UdpPayload.MAX_UDP_PAYLOAD + 16);
            Capsule capsule;
            while ((capsule = reader.read()) != null) {
                if (capsule.type() == CapsuleType.DATAGRAM) {
                    deliver(UdpPayload.decode(capsule.value(), 0, capsule.value().length));
                }
            }
            end(closed.get() ? null : new RelayException("the relay ended the UDP tunnel to " + target, null));
        } catch (IOException e) {
            end(closed.get() ? null : new RelayException("the UDP tunnel to " + target + " was reset: " + e.getMessage(), e));
        }
    }

    private void deliver(UdpPayload payload) {
        if (payload.isUdp() && !closed.get()) {
            received.offer(payload.payload()); // a full queue drops, as a socket buffer would
        }
    }

    private void end(IOException why) {
        if (why != null && failure == null) {
            failure = why;
        }
        response.failure(why != null ? why : new SocketException("tunnel closed"));
        stream.receiveDatagrams(null);
        while (!received.offer(END)) {
            received.poll(); // full: the end matters more than the oldest payload
        }
    }

    @Override
    public void send(byte[] payload, int offset, int length) throws IOException {
        if (closed.get()) {
            throw new SocketException("UDP tunnel to " + target + " is closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (capsules) {
            if (length > UdpPayload.MAX_UDP_PAYLOAD) {
                throw new DatagramTooLargeException(length, UdpPayload.MAX_UDP_PAYLOAD, "a UDP datagram");
            }
            try {
                stream.bodyOut().write(CapsuleWriter.datagramCapsule(UdpPayload.CONTEXT_UDP, payload, offset, length));
            } catch (IOException e) {
                throw response.explainWriteFailure(e); // a refusal wins over the write error it caused
            }
            return;
        }
        int limit = maxPayloadSize();
        if (length > limit) {
            throw new DatagramTooLargeException(length, limit, "a QUIC DATAGRAM frame on this connection (use capsules for larger ones)");
        }
        // false means the engine dropped it (queue full, connection closing): UDP semantics, no error.
        stream.sendDatagram(UdpPayload.CONTEXT_UDP, payload, offset, length);
    }

    @Override
    public byte[] receive(Duration timeout) throws IOException {
        byte[] payload;
        try {
            payload = timeout == null ? received.take() : received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SocketException("interrupted");
        }
        if (payload == END) {
            received.offer(END); // every later call sees the end too
            if (failure != null) {
                throw failure;
            }
            throw new SocketException("UDP tunnel to " + target + " is closed");
        }
        return payload;
    }

    @Override
    public int maxPayloadSize() {
        return capsules ? UdpPayload.MAX_UDP_PAYLOAD
                : stream.maxDatagramPayload() - VarInt.length(UdpPayload.CONTEXT_UDP);
    }

    /** True when payloads go as DATAGRAM capsules rather than QUIC DATAGRAM frames. */
    public boolean usesCapsules() {
        return capsules;
    }

    /** The request section that was sent (for -v). */
    public HttpFields requestHeaders() {
        return request;
    }

    /** The relay's 2xx answer, waiting for it; throws the typed failure otherwise. */
    public HttpFields awaitResponse() throws IOException {
        return response.await();
    }

    @Override
    public void awaitEstablished() throws IOException {
        awaitResponse();
    }

    /** System.nanoTime() when the relay's answer arrived, or 0. */
    public long answeredAtNanos() {
        return response.answeredAtNanos();
    }

    /** The typed failure, once the relay refused or lost the tunnel. */
    public IOException failure() {
        return failure;
    }

    /** Whether {@link #close()} was called: the tunnel ended on this side, not by a failure. */
    public boolean isClosed() {
        return closed.get();
    }

    /** The 2xx answer if it has arrived. */
    public Optional<HttpFields> response() {
        return Optional.ofNullable(response.successNow());
    }

    @Override
    public Route route() {
        return route;
    }

    /** FIN on the request stream ends the tunnel (RFC 9298 §3); the relay closes its socket to the target. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            stream.finish();
        } catch (IOException e) {
            stream.reset(H3.H3_REQUEST_CANCELLED);
        }
        stream.stopSending(H3.H3_NO_ERROR);
        end(null);
    }
}
