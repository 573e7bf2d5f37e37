package org.masquerelay.server.tunnel;

import org.masquerelay.engine.HttpConnection;
import org.masquerelay.engine.RequestStream;
import org.masquerelay.wire.Capsule;
import org.masquerelay.wire.CapsuleReader;
import org.masquerelay.wire.CapsuleType;
import org.masquerelay.wire.CapsuleWriter;
import org.masquerelay.wire.H3;
import org.masquerelay.wire.VarInt;
import org.masquerelay.wire.H3StreamException;
import org.masquerelay.wire.UdpPayload;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Forwards UDP payloads between a connect-udp request stream and a UDP socket connected to the target (RFC 9298).
 * From the client they come as HTTP Datagrams (QUIC DATAGRAM frames) or as DATAGRAM capsules on the stream; towards
 * the client they go the way the client last used, defaulting to QUIC DATAGRAM when the connection has it. A payload
 * that does not fit a QUIC DATAGRAM is dropped, never truncated (RFC 9298 §5). The socket is connected, so UDP from
 * any other source than the target never reaches the client.
 */
public final class UdpTunnel {
    /** Largest capsule we accept from the client: a DATAGRAM capsule with the largest UDP payload and its context id. */
    static final int MAX_CAPSULE = UdpPayload.MAX_UDP_PAYLOAD + 8;
    /** SO_RCVBUF of the socket towards the target (see {@link #run()}). */
    static final int RECEIVE_BUFFER = 1 << 20;

    private final RequestStream stream;
    private final HttpConnection connection;
    private final DatagramSocket socket;
    private final Duration idleTimeout;
    private final TunnelRecord record;
    private volatile boolean replyWithCapsules;

    public UdpTunnel(RequestStream stream, DatagramSocket socket, Duration idleTimeout, TunnelRecord record) {
        this.stream = stream;
        this.connection = stream.connection();
        this.socket = socket;
        this.idleTimeout = idleTimeout;
        this.record = record;
        this.replyWithCapsules = !connection.datagramsEnabled();
    }

    /** Runs until the client ends the stream, the tunnel idles out or the connection goes; closes the socket. */
    public void run() {
        try {
            // The kernel default (~208 KiB, ~170 payloads of 1200 bytes) overflows in under 10 ms at 200 Mbit/s
            // whenever this tunnel's thread waits on the QUIC side (a full stream window for capsules, a GC pause):
            // the benchmark lost 0.2-2 % of capsules there. 1 MiB costs nothing until it fills; the kernel caps it
            // at net.core.rmem_max.
            socket.setReceiveBufferSize(RECEIVE_BUFFER);
        } catch (IOException e) {
            // Keep the default.
        }
        stream.receiveDatagrams(this::fromClientDatagram);
        Thread capsules = Thread.ofVirtual().name("udp-capsules-" + stream.streamId()).start(this::readCapsules);
        try {
            targetToClient();
        } finally {
            stream.receiveDatagrams(null);
            socket.close();
            try {
                capsules.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void fromClientDatagram(byte[] buffer, int offset, int length) {
        replyWithCapsules = false;
        forward(UdpPayload.decode(buffer, offset, length));
    }

    private void forward(UdpPayload payload) {
        if (!payload.isUdp()) {
            record.dropped("unknown_context");  // RFC 9298 §4: unknown context ids are dropped
            return;
        }
        try {
            socket.send(new DatagramPacket(payload.buffer(), payload.offset(), payload.length()));
            record.datagramUp(payload.length());
        } catch (IOException e) {
            // ICMP errors from a connected UDP socket surface on the next send: UDP stays best effort.
            record.dropped("target_error");
        }
    }

    private void readCapsules() {
        CapsuleReader reader = new CapsuleReader(stream.body(), MAX_CAPSULE);
        try {
            Capsule capsule;
            while ((capsule = reader.read()) != null) {
                if (capsule.type() == CapsuleType.DATAGRAM) {
                    replyWithCapsules = true;
                    forward(UdpPayload.decode(capsule.value(), 0, capsule.value().length));
                }
                // Other capsule types: RFC 9297 §3.2 says ignore unknown ones.
            }
            record.ended("client closed");
        } catch (IOException e) {
            if (!socket.isClosed()) {
                record.ended("client ended the stream: " + e.getMessage());
            }
            if (e instanceof H3StreamException framing) {
                // A stream error found by our reader (e.g. a DATA frame over the cap): reset with its code.
                stream.stopSending(framing.errorCode());
                stream.reset(framing.errorCode());
            }
        } finally {
            socket.close();
        }
    }

    private void targetToClient() {
        byte[] buffer = new byte[UdpPayload.MAX_UDP_PAYLOAD];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, idleTimeout.toMillis())));
            while (true) {
                packet.setLength(buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException quiet) {
                    if (record.idleNanos() < idleTimeout.toNanos()) {
                        continue;
                    }
                    record.ended("idle for " + idleTimeout.toSeconds() + " s");
                    break;
                }
                toClient(buffer, packet.getLength());
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                // The JDK reports an ICMP port unreachable from the target as a PortUnreachableException without
                // a message; say what it means.
                record.ended(e instanceof java.net.PortUnreachableException ? "target refused (ICMP port unreachable)"
                        : "UDP socket error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        endStream();
    }

    private void toClient(byte[] payload, int length) throws IOException {
        if (replyWithCapsules) {
            stream.bodyOut().write(CapsuleWriter.datagramCapsule(UdpPayload.CONTEXT_UDP, payload, 0, length));
            record.datagramDown(length);
            return;
        }
        int max = stream.maxDatagramPayload();
        if (max > 0 && length + VarInt.length(UdpPayload.CONTEXT_UDP) > max) {
            record.dropped("too_large"); // RFC 9298 §5: dropped, never truncated
        } else if (stream.sendDatagram(UdpPayload.CONTEXT_UDP, payload, 0, length)) {
            record.datagramDown(length);
        } else {
            record.dropped("not_sent"); // the engine's queue was full, or the connection is closing
        }
    }

    private void endStream() {
        try {
            stream.finish();
        } catch (IOException e) {
            stream.reset(H3.H3_NO_ERROR);
        }
        // Unblock the capsule reader if the client keeps its side open.
        stream.stopSending(H3.H3_NO_ERROR);
    }
}
