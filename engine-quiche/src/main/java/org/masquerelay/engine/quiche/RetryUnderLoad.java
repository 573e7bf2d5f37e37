package org.masquerelay.engine.quiche;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * QUIC address validation (RFC 9000 §8.1.2) only when it is needed: while fewer than {@code threshold} handshakes are
 * in flight every client connects at once; above it a new client is first sent a Retry, and only one that answers from
 * its address with the token gets a connection (and handshake state) — a flood of Initials from spoofed addresses then
 * costs the relay a stateless packet each. The token is an HMAC (key made at start-up) over the client's address, the
 * original destination connection ID and an expiry 10 s ahead.
 */
final class RetryUnderLoad implements QuicTokenHandler {
    private static final int EXPIRY_BYTES = 8;
    private static final int MAC_BYTES = 16;
    private static final int MAX_CONNECTION_ID = 20;
    private static final long VALID_MILLIS = 10_000;

    private final int threshold;
    private final AtomicInteger handshaking;
    private final SecretKeySpec key;

    /**
     * @param threshold   handshakes in flight from which new clients get a Retry first; 0 = never
     * @param handshaking the handshakes in flight, counted by the engine
     */
    RetryUnderLoad(int threshold, AtomicInteger handshaking) {
        this.threshold = threshold;
        this.handshaking = handshaking;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
        if (threshold == 0 || handshaking.get() < threshold) {
            return false;
        }
        long expiry = System.currentTimeMillis() + VALID_MILLIS;
        byte[] id = new byte[dcid.readableBytes()];
        dcid.getBytes(dcid.readerIndex(), id);
        out.writeLong(expiry);
        out.writeBytes(mac(expiry, address, id));
        out.writeBytes(id);
        return true;
    }

    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
        int length = token.readableBytes();
        if (length < EXPIRY_BYTES + MAC_BYTES || length > maxTokenLength()) {
            return -1;
        }
        int start = token.readerIndex();
        long expiry = token.getLong(start);
        if (expiry < System.currentTimeMillis()) {
            return -1;
        }
        byte[] mac = new byte[MAC_BYTES];
        token.getBytes(start + EXPIRY_BYTES, mac);
        byte[] id = new byte[length - EXPIRY_BYTES - MAC_BYTES];
        token.getBytes(start + EXPIRY_BYTES + MAC_BYTES, id);
        return MessageDigest.isEqual(mac, mac(expiry, address, id)) ? EXPIRY_BYTES + MAC_BYTES : -1;
    }

    @Override
    public int maxTokenLength() {
        return EXPIRY_BYTES + MAC_BYTES + MAX_CONNECTION_ID;
    }

    private byte[] mac(long expiry, InetSocketAddress address, byte[] id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] ip = address.getAddress().getAddress();
            mac.update(ByteBuffer.allocate(EXPIRY_BYTES + 4).putLong(expiry).putInt(address.getPort()).array());
            mac.update(ip);
            mac.update(id);
            byte[] full = mac.doFinal();
            byte[] truncated = new byte[MAC_BYTES];
            System.arraycopy(full, 0, truncated, 0, MAC_BYTES);
            return truncated;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
