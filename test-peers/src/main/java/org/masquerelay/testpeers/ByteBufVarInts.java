package org.masquerelay.testpeers;

import io.netty.buffer.ByteBuf;

/** QUIC variable-length integers (RFC 9000 §16) on Netty buffers, for the Netty relay's datagrams and capsules. */
final class ByteBufVarInts {
    private ByteBufVarInts() {
    }

    /** A QUIC variable-length integer (RFC 9000 §16), or -1 if the buffer ends first. */
    static long readVarint(ByteBuf b) {
        if (!b.isReadable()) {
            return -1;
        }
        int length = 1 << ((b.getUnsignedByte(b.readerIndex()) >> 6) & 3);
        if (b.readableBytes() < length) {
            return -1;
        }
        long value = b.readUnsignedByte() & 0x3f;
        for (int i = 1; i < length; i++) {
            value = (value << 8) | b.readUnsignedByte();
        }
        return value;
    }

    static int varintLength(long v) {
        return v < 64 ? 1 : v < 16384 ? 2 : v < 1L << 30 ? 4 : 8;
    }

    static void writeVarint(ByteBuf b, long v) {
        switch (varintLength(v)) {
            case 1 -> b.writeByte((int) v);
            case 2 -> b.writeShort((int) (v | 0x4000));
            case 4 -> b.writeInt((int) (v | 0x80000000L));
            default -> b.writeLong(v | 0xc000000000000000L);
        }
    }
}
