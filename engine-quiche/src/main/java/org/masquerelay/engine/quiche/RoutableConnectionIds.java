package org.masquerelay.engine.quiche;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.quic.QuicCodecDispatcher;
import io.netty.handler.codec.quic.QuicConnectionIdGenerator;
import org.masquerelay.wire.QuicLbConnectionId;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.function.BiConsumer;

/**
 * Netty's connection-ID hook for QUIC-LB ({@link QuicLbConnectionId}): Netty asks it for the ID of every new
 * connection (the SCID of the server's handshake packets) and for every ID it offers in NEW_CONNECTION_ID, so all of
 * them carry the relay's server ID. The inputs Netty offers (the client's IDs) are ignored: the IDs are random, not
 * derived, hence not idempotent.
 */
final class RoutableConnectionIds implements QuicConnectionIdGenerator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final QuicLbConnectionId format;
    private final int loopIndex;

    RoutableConnectionIds(QuicLbConnectionId format, int loopIndex) {
        this.format = format;
        this.loopIndex = loopIndex;
    }

    @Override
    public ByteBuffer newId(int length) {
        if (length != QuicLbConnectionId.LENGTH) {
            throw new IllegalArgumentException("routable connection IDs are " + QuicLbConnectionId.LENGTH
                    + " octets, not " + length);
        }
        return ByteBuffer.wrap(format.newId(loopIndex, RANDOM));
    }

    @Override
    public ByteBuffer newId(ByteBuffer input, int length) {
        return newId(length);
    }

    @Override
    public ByteBuffer newId(ByteBuffer scid, ByteBuffer dcid, int length) {
        return newId(length);
    }

    @Override
    public int maxConnectionIdLength() {
        return QuicLbConnectionId.LENGTH;
    }

    @Override
    public boolean isIdempotent() {
        return false;
    }

    /**
     * Netty's {@link QuicCodecDispatcher} puts its own routing into connection IDs: the index of the event loop whose
     * codec issued the ID, in the first two octets, which is where QUIC-LB wants the first octet and the server ID.
     * Both are kept by moving the loop index behind the server ID (the start of the draft's nonce, which load
     * balancers ignore): this dispatcher issues IDs through {@link RoutableConnectionIds} and reads the index back
     * from there. So the balancer picks the relay by the server ID, the kernel picks any of the relay's sockets, and
     * the dispatcher hands the packet to the loop that owns the connection.
     */
    static QuicCodecDispatcher dispatcher(QuicLbConnectionId format, BiConsumer<Channel, QuicConnectionIdGenerator> init) {
        return new QuicCodecDispatcher(QuicLbConnectionId.LENGTH) {
            @Override
            protected void initChannel(Channel channel, int connectionIdLength, QuicConnectionIdGenerator ids) {
                init.accept(channel, ids);
            }

            @Override
            protected QuicConnectionIdGenerator newIdGenerator(int idx) {
                return new RoutableConnectionIds(format, idx);
            }

            @Override
            protected int decodeIndex(ByteBuf connectionId) {
                // Every packet passes here: read the two octets in place rather than copying the ID.
                int at = format.loopIndexOffset();
                return connectionId.readableBytes() < at + 2 ? -1
                        : connectionId.getUnsignedShort(connectionId.readerIndex() + at);
            }
        };
    }
}
